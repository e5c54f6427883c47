import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dropDatabase, withDatabase as withDatabaseName } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createTokenVerifier } from '@driftguard/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `dg …` the way `pnpm dg` does, with exactly the environment given. */
function dg(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/dg/src/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

let testDb: TestDatabase;
const db = () => ({ DATABASE_URL: testDb.url });

beforeAll(async () => {
  testDb = await createTestDatabase('cli');
});
afterAll(() => testDb?.destroy());

describe('dg org / env / token create', () => {
  it('creates an organization and an environment, then prints only a token the verifier accepts', async () => {
    const org = await dg(['org', 'create', 'acme', '--name', 'Acme Inc'], db());
    expect(org.code, org.stderr).toBe(0);
    expect(org.stdout).toMatch(/^created organization acme \(id \d+\)\n$/);

    const env = await dg(
      ['env', 'create', 'acme/prod', '--cloud', 'aws', '--region', 'eu-west-1', '--account', '123456789012'],
      db(),
    );
    expect(env.code, env.stderr).toBe(0);

    const token = await dg(['token', 'create', 'acme/prod', '--role', 'scanner', '--name', 'ci'], db());
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toMatch(/^dg_[a-z0-9]{8}_[A-Za-z0-9_-]{43}\n$/);
    expect(token.stderr).toContain('created scanner token "ci" for acme/prod');

    const principal = await createTokenVerifier(testDb.db).verify(`Bearer ${token.stdout.trim()}`);
    const ids = await testDb.db
      .selectFrom('environments')
      .innerJoin('organizations', 'organizations.id', 'environments.organization_id')
      .select(['organizations.id as orgId', 'environments.id as envId'])
      .where('organizations.slug', '=', 'acme')
      .executeTakeFirstOrThrow();
    expect(principal).toMatchObject({ orgId: ids.orgId, envId: ids.envId, role: 'scanner' });

    const audit = await testDb.db
      .selectFrom('audit_log')
      .select('action')
      .where('organization_id', '=', ids.orgId)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['organization.created', 'environment.created', 'api_token.created']);
  });

  it('rejects an unknown cloud with a one-line usage error and exit code 2', async () => {
    const run = await dg(['env', 'create', 'acme/dev', '--cloud', 'mars'], db());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(
      "dg: option '--cloud <cloud>' argument 'mars' is invalid. Allowed choices are aws, gcp, azure.",
    );
  });

  it('fails with exit code 1 naming an unknown organization or a taken slug', async () => {
    const unknown = await dg(['env', 'create', 'nobody/prod', '--cloud', 'gcp'], db());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('dg: organization "nobody" not found');
    const taken = await dg(['org', 'create', 'acme'], db());
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim()).toBe('dg: an organization with slug "acme" already exists');
  });

  it('names DATABASE_URL when it is missing', async () => {
    const run = await dg(['migrate', 'status']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^dg: invalid environment: DATABASE_URL: required/);
  });
});

describe('dg migrate', () => {
  it('lets two concurrent runs on a brand-new database both succeed, applying each migration once', async () => {
    const url = withDatabaseName(testDb.url, `dgt_cli_fresh_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`);
    try {
      const [a, b] = await Promise.all([dg(['migrate'], { DATABASE_URL: url }), dg(['migrate', 'up'], { DATABASE_URL: url })]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const applied = [...a.stdout.matchAll(/^applied (\S+)$/gm), ...b.stdout.matchAll(/^applied (\S+)$/gm)].map((m) => m[1]);
      expect(new Set(applied).size).toBe(applied.length);

      const status = await dg(['migrate', 'status'], { DATABASE_URL: url });
      expect(status.code, status.stderr).toBe(0);
      const lines = status.stdout.trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(4);
      expect(lines[0]).toMatch(/^0001-seed-schema\s+applied \d{4}-\d\d-\d\dT/);
      for (const line of lines) expect(line).toMatch(/\s+applied \d{4}-/);
      expect(applied.sort()).toEqual(lines.map((l) => l.split(/\s+/)[0]).sort());
    } finally {
      await dropDatabase(url);
    }
  });
});
