import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { baseConfigSchema, ConfigError, parseConfig, portVar, requireMasterKeyInProduction } from '../src/config/index.js';

const serviceSchema = baseConfigSchema.extend({ PORT: portVar(8082) });
const key = (kid: string) => `${kid}:${randomBytes(32).toString('base64')}`;

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies defaults, coerces numbers and freezes the result', () => {
    const cfg = parseConfig(serviceSchema, { PORT: '9000', DG_INSTANCE_ID: 'a1' });
    expect(cfg).toMatchObject({
      PORT: 9000,
      NATS_URL: 'nats://127.0.0.1:4222',
      LOG_LEVEL: 'info',
      DG_SUBJECT_ROOT: 'dg',
      DG_STREAM_PREFIX: 'DG_',
    });
    expect(cfg.DATABASE_URL).toBeUndefined();
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(parseConfig(serviceSchema, {}).PORT).toBe(8082);
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig(serviceSchema, { PORT: '', LOG_LEVEL: '' })).toMatchObject({ PORT: 8082, LOG_LEVEL: 'info' });
  });

  it('names every bad variable and why in one message', () => {
    const err = configError(() =>
      parseConfig(serviceSchema, {
        PORT: 'abc',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
      }),
    );
    expect(err.message).toContain('invalid environment: ');
    expect(err.message).toContain('PORT: expected a number, got "abc"');
    expect(err.message).toMatch(/LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
    expect(err.message).toContain('DATABASE_URL: expected a postgres or postgresql URL, got "mysql://x"');
    expect(err.message).toContain('OTEL_EXPORTER_OTLP_ENDPOINT: expected a http or https URL');
    expect(err.issues.map((i) => i.variable).sort()).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'PORT',
    ]);
  });

  it('says a missing required variable is required', () => {
    const schema = serviceSchema.extend({ DATABASE_URL: serviceSchema.shape.DATABASE_URL.unwrap() });
    expect(configError(() => parseConfig(schema, {})).message).toBe('invalid environment: DATABASE_URL: required');
  });

  it('never echoes a password or a key in the message', () => {
    const err = configError(() =>
      parseConfig(serviceSchema, { DATABASE_URL: 'postgres://u:hunter2@db:5432/x?x=%', DG_MASTER_KEY: 'k1:c2VjcmV0' }),
    );
    expect(err.message).not.toContain('hunter2');
    expect(err.message).not.toContain('c2VjcmV0');
    expect(err.message).toContain('DG_MASTER_KEY: key "k1": expected 32 bytes, got 6');
  });

  it('validates DG_MASTER_KEY as kid:base64(32 bytes) pairs and requires it in production', () => {
    const keys = `${key('2026-a')},${key('2025.b')}`;
    expect(parseConfig(serviceSchema, { DG_MASTER_KEY: keys }).DG_MASTER_KEY).toBe(keys);
    expect(configError(() => parseConfig(serviceSchema, { DG_MASTER_KEY: `${key('a')},${key('a')}` })).message).toContain(
      'duplicate key id',
    );
    expect(configError(() => parseConfig(serviceSchema, { DG_MASTER_KEY: 'no-colon' })).message).toContain(
      'expected "<key id>:<base64 key>"',
    );

    const prod = serviceSchema.check(requireMasterKeyInProduction);
    expect(configError(() => parseConfig(prod, { NODE_ENV: 'production' })).message).toBe(
      'invalid environment: DG_MASTER_KEY: required when NODE_ENV=production',
    );
    expect(parseConfig(prod, { NODE_ENV: 'development' }).DG_MASTER_KEY).toBeUndefined();
  });
});
