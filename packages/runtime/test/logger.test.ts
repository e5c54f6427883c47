import { describe, expect, it } from 'vitest';
import { createLogger, subsystemLogger } from '../src/logging/index.js';
import { captureLines } from './support.js';

const capture = captureLines;

describe('createLogger', () => {
  it('redacts a bearer token in request headers and passwords in nested objects', () => {
    const out = capture();
    const log = createLogger({ level: 'info', name: 'test', destination: out.destination });
    log.info(
      {
        req: { method: 'POST', headers: { authorization: 'Bearer dg_abcd1234_s3cr3tS3cr3t', host: 'x' } },
        repository: { url: 'https://git', credentials: { username: 'bot', password: 'hunter2' } },
        channel: { config: { routingKey: 'pd-routing-key-1' } },
        user: { password: 'pw-top' },
      },
      'incoming',
    );
    const text = out.raw.join('\n');
    expect(text).not.toContain('s3cr3tS3cr3t');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('pw-top');
    expect(text).not.toContain('pd-routing-key-1');
    const line = out.lines[0] as { req: { headers: Record<string, string> }; user: Record<string, string> };
    expect(line.req.headers.authorization).toBe('[redacted]');
    expect(line.req.headers.host).toBe('x');
    expect(line.user.password).toBe('[redacted]');
  });

  it('redacts DG_MASTER_KEY and DATABASE_URL when a config object is logged', () => {
    const out = capture();
    const log = createLogger({ level: 'info', name: 'test', destination: out.destination });
    log.info({ cfg: { DG_MASTER_KEY: 'k1:AAAA', DATABASE_URL: 'postgres://u:pw@h/db', PORT: 8080 } }, 'config');
    expect(out.raw[0]).not.toContain('k1:AAAA');
    expect(out.raw[0]).not.toContain('u:pw@');
    expect(out.lines[0]).toMatchObject({ cfg: { PORT: 8080 } });
  });

  it('scrubs credentials and tokens out of error messages', () => {
    const out = capture();
    const log = createLogger({ level: 'info', name: 'test', destination: out.destination });
    log.error({ err: new Error('connect failed for postgres://dg:topsecret@db:5432/dg with dg_abcd1234_zzzzzzzz') }, 'boom');
    expect(out.raw[0]).not.toContain('topsecret');
    expect(out.raw[0]).not.toContain('zzzzzzzz');
    expect(out.raw[0]).toContain('postgres://***@db:5432/dg');
  });

  it('tags child loggers with their subsystem and honours the level', () => {
    const out = capture();
    const log = createLogger({ level: 'warn', name: 'ingest', destination: out.destination });
    const child = subsystemLogger(log, 'ingest:adapters');
    child.info('hidden');
    child.warn({ scanId: 7 }, 'shown');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatchObject({ name: 'ingest', subsystem: 'ingest:adapters', scanId: 7, msg: 'shown' });
  });
});
