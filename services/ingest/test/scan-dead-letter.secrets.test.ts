import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { subjectFor } from '@driftguard/contracts';
import { envelope, startIngest, waitUntil, type IngestHarness } from './harness.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('dlqsecrets');
});
afterAll(async () => {
  await h?.stop();
});

const PASSWORD = 'canary-dlq-pw-7f3a91c2';
const TOKEN = 'ghp_' + 'Zx81aQ0pL2mN4bV6cX8zR1tY3uI5oP7wE9qS';

/** Not a CloudFormation drift list: refused for good, so the message is dead-lettered at once. */
const refused = { StackResourceDrifts: 'not a list', Parameters: { db_password: PASSWORD, description: TOKEN } };

async function deadLetterOf(id: string): Promise<string> {
  const letter = await waitUntil(
    async () =>
      (await h.db.selectFrom('dead_letters').select(['payload']).where('message_id', '=', id).executeTakeFirst()) ?? undefined,
  );
  return letter.payload;
}

it('keeps a refused NATS scan as a dead letter with its secrets masked, sent as JSON or gzip', async () => {
  const bus = await h.bus();
  const subject = subjectFor('scan.submitted.v1', h.tenant.orgId, h.tenant.envId, h.subjectRoot);
  const plain = envelope('scan.submitted', h.tenant.orgId, h.tenant.envId, {
    format: 'cloudformation',
    full: false,
    body: refused,
  });
  const gzip = envelope('scan.submitted', h.tenant.orgId, h.tenant.envId, {
    format: 'cloudformation',
    full: false,
    bodyBase64Gzip: gzipSync(JSON.stringify(refused)).toString('base64'),
  });
  await bus.js.publish(subject, JSON.stringify(plain), { msgID: plain.id });
  await bus.js.publish(subject, JSON.stringify(gzip), { msgID: gzip.id });

  const stored = await deadLetterOf(plain.id);
  expect(stored).not.toContain(PASSWORD);
  expect(stored).not.toContain(TOKEN);
  expect(stored).toContain('(sensitive)');
  expect(stored).toContain('not a list'); // what made it fail is still there to read

  const storedGzip = await deadLetterOf(gzip.id);
  const envelopeBack = JSON.parse(storedGzip) as { data: { bodyBase64Gzip: string } };
  const body = Buffer.from(envelopeBack.data.bodyBase64Gzip, 'base64');
  const text = gunzipSync(body).toString('utf8');
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(TOKEN);
  expect(text).toContain('not a list');
});
