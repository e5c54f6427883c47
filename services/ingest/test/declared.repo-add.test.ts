import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyring } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { decryptCredentials } from '../src/declared/git-credentials.js';
import { REPO_ROOT, tenantRows, type TenantRows } from './declared.support.js';

const MASTER_KEY = `k1:${Buffer.alloc(32, 3).toString('base64')}`;
let tdb: TestDatabase;
let tenant: TenantRows;

beforeAll(async () => {
  tdb = await createTestDatabase('ingest_declared_repo_add');
  tenant = await tenantRows(tdb.db);
});
afterAll(() => tdb?.destroy());

/** Runs `dg` as a user would, from the repository root, with only the given environment. */
function dg(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/dg/src/main.ts', ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: tdb.url, LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('dg repo add', () => {
  it('registers a git repository with credentials from an environment variable, encrypted, and prints its id', async () => {
    const token = 'ghp_CliSecretToken1234567890';
    const res = await dg(
      [
        'repo',
        'add',
        `${tenant.orgSlug}/prod`,
        '--tool',
        'kubernetes',
        '--url',
        'https://git.example.com/platform/k8s-manifests.git',
        '--branch',
        'release',
        '--credentials-env',
        'REPO_TOKEN',
      ],
      { REPO_TOKEN: JSON.stringify({ username: 'ci', token }), DG_MASTER_KEY: MASTER_KEY },
    );
    expect(res.stderr).toContain('registered kubernetes repository "k8s-manifests"');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^\d+\n$/);
    const id = Number(res.stdout.trim());

    const row = await tdb.db.selectFrom('iac_repositories').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      environment_id: tenant.envId,
      name: 'k8s-manifests',
      tool: 'kubernetes',
      repository_url: 'https://git.example.com/platform/k8s-manifests.git',
      branch: 'release',
    });
    expect(row.credentials_encrypted!.toString('latin1')).not.toContain(token);
    expect(decryptCredentials(row.credentials_encrypted!, parseKeyring(MASTER_KEY), id)).toEqual({
      username: 'ci',
      secret: token,
    });

    const audit = await tdb.db
      .selectFrom('audit_log')
      .select(['action', 'organization_id', 'new_values'])
      .where('resource_type', '=', 'iac_repository')
      .where('resource_id', '=', id)
      .execute();
    expect(audit).toEqual([
      {
        action: 'iac_repository.created',
        organization_id: tenant.orgId,
        new_values: {
          environmentId: tenant.envId,
          name: 'k8s-manifests',
          tool: 'kubernetes',
          url: 'https://git.example.com/platform/k8s-manifests.git',
          branch: 'release',
          hasCredentials: true,
        },
      },
    ]);
    expect(`${res.stdout}${res.stderr}`).not.toContain(token);

    const again = await dg([
      'repo',
      'add',
      `${tenant.orgSlug}/prod`,
      '--tool',
      'kubernetes',
      '--url',
      'https://git.example.com/platform/k8s-manifests.git',
      '--branch',
      'release',
      '--name',
      'copy',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `dg: environment "${tenant.orgSlug}/prod" already has repository https://git.example.com/platform/k8s-manifests.git on branch release`,
    );
  });

  it('registers an upload-only terraform repository', async () => {
    const res = await dg(['repo', 'add', `${tenant.orgSlug}/prod`, '--tool', 'terraform', '--name', 'network-state']);
    expect(res.code).toBe(0);
    const row = await tdb.db
      .selectFrom('iac_repositories')
      .selectAll()
      .where('id', '=', Number(res.stdout.trim()))
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      name: 'network-state',
      tool: 'terraform',
      repository_url: null,
      branch: 'main',
      credentials_encrypted: null,
    });
  });

  it('explains unknown environments, missing credentials variables and a missing master key', async () => {
    const unknown = await dg(['repo', 'add', `${tenant.orgSlug}/nowhere`, '--tool', 'kubernetes']);
    expect(unknown).toMatchObject({ code: 1, stderr: `dg: environment "${tenant.orgSlug}/nowhere" not found\n` });
    const unset = await dg(
      [
        'repo',
        'add',
        `${tenant.orgSlug}/prod`,
        '--tool',
        'kubernetes',
        '--url',
        'https://git.example.com/a.git',
        '--credentials-env',
        'NOT_SET',
      ],
      { DG_MASTER_KEY: MASTER_KEY },
    );
    expect(unset).toMatchObject({
      code: 2,
      stderr: 'dg: environment variable NOT_SET (from --credentials-env) is not set or empty\n',
    });
    const noKey = await dg(
      [
        'repo',
        'add',
        `${tenant.orgSlug}/prod`,
        '--tool',
        'kubernetes',
        '--url',
        'https://git.example.com/a.git',
        '--credentials-env',
        'TOKEN',
      ],
      { TOKEN: 'abc123' },
    );
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('DG_MASTER_KEY must be set');
    const badTool = await dg(['repo', 'add', `${tenant.orgSlug}/prod`, '--tool', 'pulumi']);
    expect(badTool.code).toBe(2);
    const inUrl = await dg([
      'repo',
      'add',
      `${tenant.orgSlug}/prod`,
      '--tool',
      'kubernetes',
      '--url',
      'https://bot:hunter2@git.example.com/a.git',
    ]);
    expect(inUrl.code).toBe(2);
    expect(inUrl.stderr).toContain('must not contain a password');
    expect(inUrl.stderr).not.toContain('hunter2');
    const count = await tdb.db
      .selectFrom('iac_repositories')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('environment_id', '=', tenant.envId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it('refuses a URL that reaches this host, naming the reason, and registers it once DG_OUTBOUND_ALLOW lists the address', async () => {
    const refused = await dg([
      'repo',
      'add',
      `${tenant.orgSlug}/prod`,
      '--tool',
      'kubernetes',
      '--url',
      'http://0x7f.1:8418/infra.git',
      '--name',
      'loopback-mirror',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('127.0.0.1 is a loopback address');
    const allowed = await dg(
      [
        'repo',
        'add',
        `${tenant.orgSlug}/prod`,
        '--tool',
        'kubernetes',
        '--url',
        'http://0x7f.1:8418/infra.git',
        '--name',
        'loopback-mirror',
      ],
      {
        DG_OUTBOUND_ALLOW: '127.0.0.1,::1',
      },
    );
    expect(allowed.code, allowed.stderr).toBe(0);
  });
});
