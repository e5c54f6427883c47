import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/identity/passwords.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function dg(args: string[], env: Record<string, string>, stdin?: string) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/dg/src/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (stdin !== undefined) child.stdin!.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('api_user_cli');
});
afterAll(() => t?.destroy());

describe('dg user create', () => {
  it('creates the first administrator with a password read from stdin, audited as a system action', async () => {
    const env = { DATABASE_URL: t.url };
    expect((await dg(['org', 'create', 'acme'], env)).code).toBe(0);
    const run = await dg(['user', 'create', '--admin', 'Root@Acme.example', '--password-stdin'], env, 'a long enough password\n');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^created admin user root@acme\.example in acme \(id \d+\)\n$/);

    const user = await t.db.selectFrom('users').selectAll().where('email', '=', 'root@acme.example').executeTakeFirstOrThrow();
    expect(user.role).toBe('admin');
    expect(await verifyPassword(user.password_hash, 'a long enough password')).toBe(true);
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.created').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ resource_id: user.id, user_id: null, session_id: null, success: true });
    expect(JSON.stringify(audit[0])).not.toContain('a long enough password');
  });

  it('takes the password from DG_USER_PASSWORD, names the organization when there are several, refuses a duplicate', async () => {
    const env = { DATABASE_URL: t.url };
    expect((await dg(['org', 'create', 'globex'], env)).code).toBe(0);
    const ambiguous = await dg(['user', 'create', 'eng@globex.example', '--role', 'engineer'], env);
    expect(ambiguous.code).not.toBe(0);
    expect(ambiguous.stderr).toContain('--org');

    const run = await dg(['user', 'create', 'eng@globex.example', '--role', 'engineer', '--org', 'globex'], {
      ...env,
      DG_USER_PASSWORD: 'from the environment',
    });
    expect(run.code, run.stderr).toBe(0);
    const user = await t.db.selectFrom('users').selectAll().where('email', '=', 'eng@globex.example').executeTakeFirstOrThrow();
    expect(await verifyPassword(user.password_hash, 'from the environment')).toBe(true);

    const again = await dg(['user', 'create', 'eng@globex.example', '--org', 'globex'], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('exists already');
  });

  it('refuses a password too short to be safe, and creates nothing', async () => {
    const run = await dg(
      ['user', 'create', 'short@acme.example', '--org', 'acme', '--password-stdin'],
      { DATABASE_URL: t.url },
      'short',
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('at least 12 characters');
    expect(await t.db.selectFrom('users').select('id').where('email', '=', 'short@acme.example').execute()).toEqual([]);
  });
});
