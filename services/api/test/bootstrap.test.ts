import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { ConflictError, createTokenVerifier, InvalidInputError, NotFoundError } from '@driftguard/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createEnvironment, createOrganization } from '../src/index.js';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase('api_bootstrap');
});
afterAll(() => testDb?.destroy());

const auditActions = async (orgId: number) =>
  (
    await testDb.db
      .selectFrom('audit_log')
      .select(['action', 'resource_type'])
      .where('organization_id', '=', orgId)
      .orderBy('id')
      .execute()
  ).map((r) => `${r.resource_type}:${r.action}`);

describe('createOrganization', () => {
  it('creates an organization named after its slug by default, with its audit row', async () => {
    const org = await createOrganization(testDb.db, { slug: 'initech' });
    expect(org).toMatchObject({ slug: 'initech', name: 'initech' });
    expect(await auditActions(org.id)).toEqual(['organization:organization.created']);
  });

  it('rejects a duplicate slug or name with ConflictError and writes nothing', async () => {
    await createOrganization(testDb.db, { slug: 'globex', name: 'Globex Corp' });
    await expect(createOrganization(testDb.db, { slug: 'globex' })).rejects.toThrow(
      new ConflictError('an organization with slug "globex" already exists', 'duplicate'),
    );
    await expect(createOrganization(testDb.db, { slug: 'globex-2', name: 'Globex Corp' })).rejects.toThrow(
      /name "Globex Corp" already exists/,
    );
    const n = await testDb.db
      .selectFrom('organizations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('slug', 'like', 'globex%')
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });

  it('rejects a slug that is not lowercase letters, digits and hyphens', async () => {
    await expect(createOrganization(testDb.db, { slug: 'Acme Corp' })).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('createEnvironment', () => {
  it('creates an environment of an organization, with its audit row', async () => {
    const org = await createOrganization(testDb.db, { slug: 'umbrella' });
    const env = await createEnvironment(testDb.db, {
      orgSlug: 'umbrella',
      slug: 'prod',
      cloud: 'gcp',
      region: 'europe-west1',
      account: 'umbrella-prod',
    });
    expect(env).toMatchObject({ orgId: org.id, orgSlug: 'umbrella', slug: 'prod', cloud: 'gcp' });
    const row = await testDb.db.selectFrom('environments').selectAll().where('id', '=', env.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ cloud_provider: 'gcp', region: 'europe-west1', account_id: 'umbrella-prod', name: 'prod' });
    expect(await auditActions(org.id)).toEqual(['organization:organization.created', 'environment:environment.created']);
  });

  it('names the problem: unknown organization, bad cloud, duplicate slug', async () => {
    await expect(createEnvironment(testDb.db, { orgSlug: 'nobody', slug: 'prod', cloud: 'aws' })).rejects.toThrow(
      new NotFoundError('organization "nobody" not found'),
    );
    const badCloud = createEnvironment(testDb.db, { orgSlug: 'umbrella', slug: 'dev', cloud: 'mars' as 'aws' });
    await expect(badCloud).rejects.toBeInstanceOf(InvalidInputError);
    await expect(badCloud).rejects.toThrow('cloud must be one of aws, gcp, azure');
    await expect(createEnvironment(testDb.db, { orgSlug: 'umbrella', slug: 'prod', cloud: 'aws' })).rejects.toThrow(
      new ConflictError('organization "umbrella" already has an environment "prod"', 'duplicate'),
    );
  });
});

describe('createApiToken', () => {
  it('returns a plaintext token once, stores only its hash, and the verifier accepts it', async () => {
    const org = await createOrganization(testDb.db, { slug: 'hooli' });
    const env = await createEnvironment(testDb.db, { orgSlug: 'hooli', slug: 'prod', cloud: 'aws' });
    const now = new Date();
    const created = await createApiToken(testDb.db, { orgSlug: 'hooli', envSlug: 'prod', role: 'scanner' }, now);
    expect(created.token).toMatch(/^dg_[a-z0-9]{8}_/);
    expect(created.expiresAt!.getTime() - now.getTime()).toBe(90 * 86_400_000);

    const row = await testDb.db.selectFrom('api_tokens').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(Buffer.from(row.token_hash).toString('hex')).not.toContain(created.token);
    expect(row).toMatchObject({
      organization_id: org.id,
      environment_id: env.id,
      role: 'scanner',
      name: `scanner-${created.prefix}`,
    });

    const principal = await createTokenVerifier(testDb.db).verify(`Bearer ${created.token}`);
    expect(principal).toEqual({ tokenId: created.id, orgId: org.id, envId: env.id, role: 'scanner' });

    const audit = await testDb.db
      .selectFrom('audit_log')
      .select(['new_values'])
      .where('resource_type', '=', 'api_token')
      .where('resource_id', '=', created.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.new_values)).not.toContain(created.token.slice(12));
  });

  it('makes organization-wide tokens, custom lifetimes and tokens that never expire', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const orgWide = await createApiToken(testDb.db, { orgSlug: 'hooli', role: 'admin', expiresIn: '12h', name: 'ops' }, now);
    expect(orgWide).toMatchObject({ envId: null, name: 'ops', expiresAt: new Date('2030-01-01T12:00:00Z') });
    expect((await createApiToken(testDb.db, { orgSlug: 'hooli', role: 'viewer', expiresIn: 'never' })).expiresAt).toBeNull();
  });

  it('names the problem: unknown organization or environment, bad role or lifetime', async () => {
    await expect(createApiToken(testDb.db, { orgSlug: 'nobody', role: 'admin' })).rejects.toThrow(
      'organization "nobody" not found',
    );
    await expect(createApiToken(testDb.db, { orgSlug: 'hooli', envSlug: 'staging', role: 'admin' })).rejects.toThrow(
      'environment "hooli/staging" not found',
    );
    await expect(createApiToken(testDb.db, { orgSlug: 'hooli', role: 'root' as 'admin' })).rejects.toThrow(
      'role must be one of admin, engineer, viewer, scanner',
    );
    await expect(createApiToken(testDb.db, { orgSlug: 'hooli', role: 'admin', expiresIn: '3y' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });
});
