import { createHmac } from 'node:crypto';
import { ContextGitCommitV1 } from '@driftguard/contracts';
import { describe, expect, it } from 'vitest';
import { contextEventId } from './context-event-id.js';
import { offeredSignatures, signatureMatches } from './context-signature.js';

const secret = Buffer.from('s3cret-s3cret-s3cret');
const body = Buffer.from('{"event":{"id":"01DEN"}}');
const sig = createHmac('sha256', secret).update(body).digest('hex');

describe('webhook signatures', () => {
  it('accepts GitHub sha256=<hex> over the raw bytes only', () => {
    expect(signatureMatches('github', `sha256=${sig}`, body, secret)).toBe(true);
    expect(signatureMatches('github', `sha256=${sig.toUpperCase()}`, body, secret)).toBe(true);
    expect(signatureMatches('github', `sha1=${sig}`, body, secret)).toBe(false);
    expect(signatureMatches('github', `sha256=${sig}`, Buffer.concat([body, Buffer.from('\n')]), secret)).toBe(false);
    expect(signatureMatches('github', undefined, body, secret)).toBe(false);
  });

  it('accepts any one of several PagerDuty v1 signatures and ignores malformed ones', () => {
    expect(offeredSignatures('pagerduty', `v1=abc, v1=${sig},v0=${sig}`)).toEqual([sig]);
    expect(signatureMatches('pagerduty', `v1=${'f'.repeat(64)},v1=${sig}`, body, secret)).toBe(true);
    expect(signatureMatches('pagerduty', `v1=${'f'.repeat(64)}`, body, secret)).toBe(false);
  });
});

describe('contextEventId', () => {
  it('is the same for the same (organization, source, source id) and a valid envelope id', () => {
    const id = contextEventId(7, 'pagerduty', '01DEN4HPBQUHVF4SJE9ZQJ2YGP');
    expect(contextEventId(7, 'pagerduty', '01DEN4HPBQUHVF4SJE9ZQJ2YGP')).toBe(id);
    expect(contextEventId(8, 'pagerduty', '01DEN4HPBQUHVF4SJE9ZQJ2YGP')).not.toBe(id);
    expect(contextEventId(7, 'github', '01DEN4HPBQUHVF4SJE9ZQJ2YGP')).not.toBe(id);
    expect(ContextGitCommitV1.shape.id.safeParse(id).success).toBe(true);
  });
});
