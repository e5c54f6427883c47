import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@driftguard/runtime/boot';
import { loadIngestConfig } from './config.js';
import { createIngestService } from './service.js';

const KEY = `k1:${randomBytes(32).toString('base64')}`;

describe('ingest master key', () => {
  it('refuses to start against a database without DG_MASTER_KEY, naming it', () => {
    const attempt = () => loadIngestConfig({ DATABASE_URL: 'postgres://u@db:5432/dg' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/DG_MASTER_KEY: required when DATABASE_URL is set/);
    expect(() => loadIngestConfig({ NODE_ENV: 'production' })).toThrow(/DG_MASTER_KEY/);
    expect(loadIngestConfig({ DATABASE_URL: 'postgres://u@db:5432/dg', DG_MASTER_KEY: KEY }).DG_MASTER_KEY).toBe(KEY);
  });

  it('will not build a service that would store unkeyed hashes', async () => {
    await expect(createIngestService(loadIngestConfig({}))).rejects.toThrow(/DG_MASTER_KEY is required/);
  });
});
