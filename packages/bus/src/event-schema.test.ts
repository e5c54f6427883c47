import { uuidv7 } from 'uuidv7';
import { describe, expect, it } from 'vitest';
import { parseEventBody } from './event-schema.js';

const envelope = (data: string) =>
  `{"id":"${uuidv7()}","type":"cmd.repo.sync","occurredAt":"2026-11-30T12:00:00.000Z","orgId":1,"envId":1,"data":${data}}`;
const parse = (body: string | Uint8Array) =>
  parseEventBody('cmd.repo.sync.v1', typeof body === 'string' ? new TextEncoder().encode(body) : body);

describe('parseEventBody', () => {
  it('accepts a valid envelope, Unicode text included', () => {
    expect(parse(envelope('{"repositoryId":1,"reason":"ünïcode ✓ 𝄞"}'))).toMatchObject({ ok: true });
  });

  it('refuses what the schema alone would let through: bad bytes, NUL, lone surrogates, prototype keys, deep nesting', () => {
    const bytes = new TextEncoder().encode(envelope('{"repositoryId":1,"reason":"ab"}'));
    const at = bytes.indexOf(0x61);
    bytes[at] = 0xff;
    expect(parse(bytes)).toMatchObject({ ok: false, code: 'invalid_json', error: expect.stringContaining('UTF-8') });
    expect(parse(envelope('{"repositoryId":1,"reason":"a\\u0000b"}'))).toMatchObject({
      ok: false,
      code: 'contract_violation',
      error: expect.stringContaining('/data/reason contains a NUL'),
    });
    expect(parse(envelope('{"repositoryId":1,"reason":"a\\udc00b"}'))).toMatchObject({
      ok: false,
      code: 'contract_violation',
      error: expect.stringContaining('lone UTF-16 surrogate'),
    });
    expect(parse(envelope('{"__proto__":{"polluted":true},"repositoryId":1}'))).toMatchObject({
      ok: false,
      code: 'contract_violation',
      error: expect.stringContaining('forbidden key "__proto__" at /data/__proto__'),
    });
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    expect(parse(envelope(`{"repositoryId":1,"extra":${deep}}`))).toMatchObject({
      ok: false,
      code: 'contract_violation',
      error: expect.stringContaining('deeper than 512'),
    });
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
