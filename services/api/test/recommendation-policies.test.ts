import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { InvalidInputError, NotFoundError } from '@driftguard/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment, createOrganization, setRecommendationPolicy, showRecommendationPolicy } from '../src/index.js';

let testDb: TestDatabase;
let orgId: number;

beforeAll(async () => {
  testDb = await createTestDatabase('api_policies');
  orgId = (await createOrganization(testDb.db, { slug: 'acme' })).id;
  await createEnvironment(testDb.db, { orgSlug: 'acme', slug: 'prod', cloud: 'aws' });
  await createEnvironment(testDb.db, { orgSlug: 'acme', slug: 'dev', cloud: 'aws' });
});
afterAll(() => testDb?.destroy());

const rule = (id: string) => ({
  id,
  when: { production: false },
  then: { recommendationType: 'manual_review', priority: 'low', estimatedEffort: 'hours', expiresIn: '2d' },
});

describe('recommendation policy overrides', () => {
  it('numbers versions per scope, the latest active, each with its audit row', async () => {
    expect(
      await setRecommendationPolicy(testDb.db, { orgSlug: 'acme', document: { rules: [rule('org-1')] }, createdBy: 'alice' }),
    ).toMatchObject({ version: 1, envSlug: null });
    expect(
      await setRecommendationPolicy(testDb.db, { orgSlug: 'acme', envSlug: 'prod', document: { rules: [rule('prod-1')] } }),
    ).toMatchObject({ version: 1 });
    expect(
      await setRecommendationPolicy(testDb.db, { orgSlug: 'acme', envSlug: 'prod', document: { rules: [rule('prod-2')] } }),
    ).toMatchObject({ version: 2 });
    expect(await showRecommendationPolicy(testDb.db, { orgSlug: 'acme', envSlug: 'prod' })).toMatchObject({
      version: 2,
      document: { rules: [{ id: 'prod-2' }] },
    });
    expect(await showRecommendationPolicy(testDb.db, { orgSlug: 'acme' })).toMatchObject({
      version: 1,
      createdBy: 'alice',
      document: { rules: [{ id: 'org-1' }] },
    });
    expect(await showRecommendationPolicy(testDb.db, { orgSlug: 'acme', envSlug: 'dev' })).toBeNull();
    const audit = await testDb.db
      .selectFrom('audit_log')
      .select(['action', 'new_values'])
      .where('organization_id', '=', orgId)
      .where('action', '=', 'recommendation_policy.set')
      .execute();
    expect(audit).toHaveLength(3);
  });

  it('refuses an invalid document with every problem named, and stores nothing', async () => {
    const bad = { rules: [{ ...rule('x'), then: { ...rule('x').then, unattended: true } }, rule('x')] };
    const err = await setRecommendationPolicy(testDb.db, { orgSlug: 'acme', envSlug: 'dev', document: bad }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).toMatchObject({
      message:
        'invalid recommendation policy: rules.0.then.unattended: only an auto_revert may run unattended, not manual_review; rules.1.id: "x" is already the id of rule 0',
    });
    expect(await showRecommendationPolicy(testDb.db, { orgSlug: 'acme', envSlug: 'dev' })).toBeNull();
    await expect(
      setRecommendationPolicy(testDb.db, { orgSlug: 'acme', envSlug: 'dev', document: { rules: [] } }),
    ).rejects.toThrow(/rules: Too small/i);
  });

  it('names an unknown organization or environment', async () => {
    await expect(
      setRecommendationPolicy(testDb.db, { orgSlug: 'nope', document: { rules: [rule('a')] } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(showRecommendationPolicy(testDb.db, { orgSlug: 'acme', envSlug: 'staging' })).rejects.toThrow(
      'environment "acme/staging" not found',
    );
  });
});
