import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createEnvironment, createOrganization } from '@driftguard/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDg } from './support/run-dg.js';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase('cli_repo_outbound');
  await createOrganization(testDb.db, { slug: 'acme' });
  await createEnvironment(testDb.db, { orgSlug: 'acme', slug: 'prod', cloud: 'aws' });
});
afterAll(() => testDb?.destroy());

const dg = (args: string[], env: Record<string, string> = {}) =>
  runDg(args, { DATABASE_URL: testDb.url, LOG_LEVEL: 'silent', ...env });

const repositoryCount = async () =>
  Number(
    (
      await testDb.db
        .selectFrom('iac_repositories')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('dg repo add: targets inside the network', () => {
  it.each([
    ['file:///srv/git/infra.git', 'local repository paths and file:// URLs are not allowed on this server'],
    ['/srv/git/infra.git', 'local repository paths and file:// URLs are not allowed on this server'],
    ['http://127.0.0.1/infra.git', '127.0.0.1 is a loopback address'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
    ['https://10.2.3.4/infra.git', '10.2.3.4 is a private-network address'],
    ['https://172.20.0.1/infra.git', '172.20.0.1 is a private-network address'],
    ['https://192.168.0.10/infra.git', '192.168.0.10 is a private-network address'],
    ['https://100.100.0.1/infra.git', '100.100.0.1 is a shared (carrier-grade NAT) address'],
    ['https://[::1]/infra.git', '::1 is a loopback address'],
    ['https://[fc00::7]/infra.git', 'fc00::7 is a private-network address'],
    ['https://[fe80::2]/infra.git', 'fe80::2 is a link-local address'],
    ['http://[::ffff:127.0.0.1]/infra.git', '127.0.0.1 is a loopback address'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal names this host or an internal network'],
    ['http://2130706433/infra.git', '127.0.0.1 is a loopback address'],
    ['http://0x7f.1/infra.git', '127.0.0.1 is a loopback address'],
    ['http://0177.0.0.1/infra.git', '127.0.0.1 is a loopback address'],
    ['http://0.0.0.0/infra.git', '0.0.0.0 is the unspecified address'],
    ['ssh://git@192.168.7.7/infra.git', '192.168.7.7 is a private-network address'],
  ])('exits 2 for %s, saying why, and registers nothing', async (url, reason) => {
    const before = await repositoryCount();
    const res = await dg(['repo', 'add', 'acme/prod', '--tool', 'kubernetes', '--url', url]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`dg: invalid repository: url ${reason}`);
    expect(res.stdout).toBe('');
    expect(await repositoryCount()).toBe(before);
  });

  it('registers loopback and local paths only where DG_OUTBOUND_ALLOW and DG_REPO_ALLOW_LOCAL allow them', async () => {
    const loopback = await dg(
      ['repo', 'add', 'acme/prod', '--tool', 'kubernetes', '--url', 'http://[::1]:8418/infra.git', '--name', 'v6-mirror'],
      { DG_OUTBOUND_ALLOW: '127.0.0.1,::1' },
    );
    expect(loopback.code, loopback.stderr).toBe(0);
    expect(loopback.stdout).toMatch(/^\d+\n$/);
    const local = await dg(
      ['repo', 'add', 'acme/prod', '--tool', 'kubernetes', '--url', '/srv/git/infra.git', '--name', 'host-mirror'],
      { DG_REPO_ALLOW_LOCAL: 'true' },
    );
    expect(local.code, local.stderr).toBe(0);
    const badAllow = await dg(['repo', 'add', 'acme/prod', '--tool', 'kubernetes', '--url', 'https://git.example.com/b.git'], {
      DG_OUTBOUND_ALLOW: 'not a host!',
    });
    expect(badAllow.code).toBe(2);
    expect(badAllow.stderr).toContain('DG_OUTBOUND_ALLOW');
  });
});
