import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { InvalidInputError, parseOutboundAllowList } from '@driftguard/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment, createOrganization, createRepository } from '../src/index.js';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase('api_repositories_outbound');
  await createOrganization(testDb.db, { slug: 'hooli' });
  await createEnvironment(testDb.db, { orgSlug: 'hooli', slug: 'prod', cloud: 'aws' });
});
afterAll(() => testDb?.destroy());

const register = (url: string, outbound?: Parameters<typeof createRepository>[1]['outbound']) =>
  createRepository(testDb.db, {
    orgSlug: 'hooli',
    envSlug: 'prod',
    tool: 'kubernetes',
    url,
    name: `r-${Math.random().toString(36).slice(2)}`,
    ...(outbound ? { outbound } : {}),
  });

const repositoryCount = async () =>
  Number(
    (
      await testDb.db
        .selectFrom('iac_repositories')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('createRepository: URLs that reach inside', () => {
  it.each([
    ['file:///srv/git/infra.git', /local repository paths and file:\/\/ URLs are not allowed/],
    ['/srv/git/infra.git', /local repository paths/],
    ['http://127.0.0.1/infra.git', /127\.0\.0\.1 is a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
    ['https://10.0.0.8/infra.git', /10\.0\.0\.8 is a private-network address/],
    ['https://172.16.4.2/infra.git', /172\.16\.4\.2 is a private-network address/],
    ['https://192.168.10.1/infra.git', /192\.168\.10\.1 is a private-network address/],
    ['https://100.64.1.1/infra.git', /100\.64\.1\.1 is a shared \(carrier-grade NAT\) address/],
    ['https://[::1]/infra.git', /::1 is a loopback address/],
    ['https://[fd00::5]/infra.git', /fd00::5 is a private-network address/],
    ['https://[fe80::1]/infra.git', /fe80::1 is a link-local address/],
    ['https://[::ffff:127.0.0.1]/infra.git', /127\.0\.0\.1 is a loopback address/],
    ['http://metadata.google.internal/computeMetadata/v1/', /metadata\.google\.internal names this host or an internal network/],
    ['http://2130706433/infra.git', /127\.0\.0\.1 is a loopback address/],
    ['http://0x7f.1/infra.git', /127\.0\.0\.1 is a loopback address/],
    ['http://0177.0.0.1/infra.git', /127\.0\.0\.1 is a loopback address/],
    ['http://0.0.0.0/infra.git', /0\.0\.0\.0 is the unspecified address/],
    ['git@10.1.1.1:platform/infra.git', /10\.1\.1\.1 is a private-network address/],
  ])('refuses %s, naming why, and stores nothing', async (url, reason) => {
    const before = await repositoryCount();
    const err = await register(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).message).toMatch(reason);
    expect((err as InvalidInputError).errors[0]?.path).toBe('url');
    expect(await repositoryCount()).toBe(before);
  });

  it('registers public hosts, and loopback or local paths only where the server allows them', async () => {
    await expect(register('https://git.example.com/platform/infra.git')).resolves.toMatchObject({
      url: 'https://git.example.com/platform/infra.git',
    });
    await expect(
      register('http://127.0.0.1:8418/infra.git', { allow: parseOutboundAllowList('127.0.0.1') }),
    ).resolves.toMatchObject({ tool: 'kubernetes' });
    await expect(
      register('http://127.0.0.1:8418/infra.git', { allow: parseOutboundAllowList('127.0.0.1:9000') }),
    ).rejects.toThrow(/loopback/);
    await expect(register('/srv/git/mirror.git', { allowLocal: true })).resolves.toMatchObject({ url: '/srv/git/mirror.git' });
  });
});
