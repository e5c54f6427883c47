import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import type { DeclaredResource } from '../src/declared/declared-resource.js';
import { RepositoryNotFoundError, replaceDeclaredResources } from '../src/declared/iac-resources.queries.js';
import { repositoryRow, resourceIds, tenantRows, type TenantRows } from './declared.support.js';

let tdb: TestDatabase;
let tenant: TenantRows;

beforeAll(async () => {
  tdb = await createTestDatabase('ingest_declared_replace');
  tenant = await tenantRows(tdb.db);
});
afterAll(() => tdb?.destroy());

const bucket = (name: string, extra: Record<string, unknown> = {}): DeclaredResource => ({
  resourceType: 'aws_s3_bucket',
  resourceId: `aws_s3_bucket.${name}`,
  declaredState: { bucket: name, ...extra },
});

function replace(repositoryId: number, resources: DeclaredResource[], options = {}) {
  return tdb.db.transaction().execute((tx) => replaceDeclaredResources(tx, repositoryId, resources, options));
}

describe('replaceDeclaredResources', () => {
  it('adds, updates, keeps and removes resources and counts each', async () => {
    const repo = await repositoryRow(tdb.db, tenant.envId, 'terraform');
    expect(await replace(repo, [bucket('a'), bucket('b'), bucket('c')], { source: 'upload' })).toEqual({
      repositoryId: repo,
      added: 3,
      updated: 0,
      unchanged: 0,
      removed: 0,
      total: 3,
    });
    const before = await tdb.db
      .selectFrom('iac_resources')
      .select(['resource_id', 'updated_at'])
      .where('iac_repository_id', '=', repo)
      .execute();

    expect(await replace(repo, [bucket('a'), bucket('b', { versioning: true }), bucket('d')])).toEqual({
      repositoryId: repo,
      added: 1,
      updated: 1,
      unchanged: 1,
      removed: 1,
      total: 3,
    });
    expect(await resourceIds(tdb.db, repo)).toEqual(['aws_s3_bucket.a', 'aws_s3_bucket.b', 'aws_s3_bucket.d']);
    const after = await tdb.db
      .selectFrom('iac_resources')
      .select(['resource_id', 'updated_at', 'last_sync_at', 'declared_state'])
      .where('iac_repository_id', '=', repo)
      .execute();
    const at = (rows: { resource_id: string; updated_at: Date | null }[], id: string) =>
      rows.find((r) => r.resource_id === id)!.updated_at!.getTime();
    expect(at(after, 'aws_s3_bucket.a')).toBe(at(before, 'aws_s3_bucket.a'));
    expect(at(after, 'aws_s3_bucket.b')).toBeGreaterThan(at(before, 'aws_s3_bucket.b'));
    expect(after.find((r) => r.resource_id === 'aws_s3_bucket.b')!.declared_state).toEqual({ bucket: 'b', versioning: true });
    expect(new Set(after.map((r) => r.last_sync_at!.getTime())).size).toBe(1);

    const repoRow = await tdb.db
      .selectFrom('iac_repositories')
      .select('last_sync_at')
      .where('id', '=', repo)
      .executeTakeFirstOrThrow();
    expect(repoRow.last_sync_at!.getTime()).toBe(after[0]!.last_sync_at!.getTime());
  });

  it('unlinks drift events from removed resources and leaves their metadata naming the resource', async () => {
    const repo = await repositoryRow(tdb.db, tenant.envId, 'terraform');
    await replace(repo, [bucket('keep'), bucket('gone')]);
    const rows = await tdb.db
      .selectFrom('iac_resources')
      .select(['id', 'resource_id'])
      .where('iac_repository_id', '=', repo)
      .execute();
    const idOf = (rid: string) => rows.find((r) => r.resource_id === rid)!.id;
    const drifts = await tdb.db
      .insertInto('drift_events')
      .values([
        {
          environment_id: tenant.envId,
          iac_resource_id: idOf('aws_s3_bucket.gone'),
          drift_type: 'modified',
          metadata: JSON.stringify({ resource: { address: 'aws_s3_bucket.gone' } }),
        },
        {
          environment_id: tenant.envId,
          iac_resource_id: idOf('aws_s3_bucket.keep'),
          drift_type: 'modified',
          metadata: JSON.stringify({ resource: { address: 'aws_s3_bucket.keep' } }),
        },
      ])
      .returning(['id'])
      .execute();

    expect(await replace(repo, [bucket('keep')])).toMatchObject({ removed: 1, unchanged: 1, total: 1 });
    const after = await tdb.db
      .selectFrom('drift_events')
      .select(['id', 'iac_resource_id', 'metadata'])
      .where(
        'id',
        'in',
        drifts.map((d) => d.id),
      )
      .orderBy('id')
      .execute();
    expect(after[0]).toMatchObject({ iac_resource_id: null, metadata: { resource: { address: 'aws_s3_bucket.gone' } } });
    expect(after[1]!.iac_resource_id).toBe(idOf('aws_s3_bucket.keep'));
  });

  it('writes one audit row per replacement with the counts, and none for an unchanged periodic sync', async () => {
    const repo = await repositoryRow(tdb.db, tenant.envId, 'kubernetes');
    await replace(repo, [bucket('x'), bucket('y')], { source: 'git', details: { commit: 'abc123' } });
    await replace(repo, [bucket('x'), bucket('y')], { source: 'git', auditUnchanged: false });
    await replace(repo, [bucket('x')], { source: 'git', auditUnchanged: false });
    const audit = await tdb.db
      .selectFrom('audit_log')
      .select(['action', 'resource_type', 'organization_id', 'new_values'])
      .where('resource_type', '=', 'iac_repository')
      .where('resource_id', '=', repo)
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      {
        action: 'iac_resources.replaced',
        resource_type: 'iac_repository',
        organization_id: tenant.orgId,
        new_values: { added: 2, updated: 0, unchanged: 0, removed: 0, total: 2, source: 'git', commit: 'abc123' },
      },
      {
        action: 'iac_resources.replaced',
        resource_type: 'iac_repository',
        organization_id: tenant.orgId,
        new_values: { added: 0, updated: 0, unchanged: 1, removed: 1, total: 1, source: 'git' },
      },
    ]);
  });

  it('writes nothing when the caller rolls back, and refuses an unknown repository', async () => {
    const repo = await repositoryRow(tdb.db, tenant.envId, 'terraform');
    await expect(
      tdb.db.transaction().execute(async (tx) => {
        await replaceDeclaredResources(tx, repo, [bucket('a')]);
        throw new Error('caller failed later');
      }),
    ).rejects.toThrow('caller failed later');
    expect(await resourceIds(tdb.db, repo)).toEqual([]);
    const row = await tdb.db
      .selectFrom('iac_repositories')
      .select('last_sync_at')
      .where('id', '=', repo)
      .executeTakeFirstOrThrow();
    expect(row.last_sync_at).toBeNull();

    await expect(replace(2_000_000_000, [bucket('a')])).rejects.toBeInstanceOf(RepositoryNotFoundError);
  });

  it('keeps the last declaration of an id given twice', async () => {
    const repo = await repositoryRow(tdb.db, tenant.envId, 'terraform');
    expect(await replace(repo, [bucket('a', { v: 1 }), bucket('a', { v: 2 })])).toMatchObject({ added: 1, total: 1 });
    const row = await tdb.db
      .selectFrom('iac_resources')
      .select('declared_state')
      .where('iac_repository_id', '=', repo)
      .executeTakeFirstOrThrow();
    expect(row.declared_state).toEqual({ bucket: 'a', v: 2 });
  });

  it('replaces 10,000 resources in a few statements', async () => {
    const repo = await repositoryRow(tdb.db, tenant.envId, 'terraform');
    const many = Array.from({ length: 10_000 }, (_, i) =>
      bucket(`b${i}`, { tags: { team: 'platform', index: String(i) }, acl: 'private', lifecycle: [{ days: 30 }, { days: 365 }] }),
    );
    const started = performance.now();
    expect(await replace(repo, many)).toMatchObject({ added: 10_000, updated: 0, removed: 0, total: 10_000 });
    const firstMs = performance.now() - started;

    const next = many.slice(100).map((r, i) => (i === 0 ? bucket('b100', { acl: 'public-read' }) : r));
    const again = performance.now();
    expect(await replace(repo, next)).toEqual({
      repositoryId: repo,
      added: 0,
      updated: 1,
      unchanged: 9_899,
      removed: 100,
      total: 9_900,
    });
    const secondMs = performance.now() - again;

    const count = await tdb.db
      .selectFrom('iac_resources')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('iac_repository_id', '=', repo)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(9_900);
    console.info(`10,000-resource replace: first ${Math.round(firstMs)} ms, second ${Math.round(secondMs)} ms`);
    expect(firstMs + secondMs).toBeLessThan(60_000);
  });
});
