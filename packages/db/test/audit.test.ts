import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAuditPartitions, writeAudit } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

/** Name of the audit partition of the UTC month `offset` months from now. */
function partitionName(offset: number): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return `audit_log_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

describe('audit log', () => {
  let test: TestDatabase;
  let orgId: number;

  beforeAll(async () => {
    test = await createTestDatabase('audit');
    ({ id: orgId } = await test.db
      .insertInto('organizations')
      .values({ name: 'Audited', slug: 'audited' })
      .returning('id')
      .executeTakeFirstOrThrow());
  });
  afterAll(() => test?.destroy());

  it("writes the audit row in the caller's transaction, with every field", async () => {
    const id = await test.db.transaction().execute((tx) =>
      writeAudit(tx, {
        organizationId: orgId,
        action: 'environment.created',
        resourceType: 'environment',
        resourceId: 42,
        oldValues: null,
        newValues: { slug: 'prod', tags: ['a', 'b'] },
        userId: 7,
        ip: '203.0.113.9',
        userAgent: 'dg-cli/1.0',
        sessionId: 'sess-1',
      }),
    );
    const row = await test.db.selectFrom('audit_log').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      organization_id: orgId,
      action: 'environment.created',
      resource_id: 42,
      old_values: null,
      new_values: { slug: 'prod', tags: ['a', 'b'] },
      user_id: 7,
      ip_address: '203.0.113.9',
      success: true,
      error_message: null,
    });
    expect(row.timestamp).toBeInstanceOf(Date);
    expect(typeof row.id).toBe('string');
  });

  it('loses the audit row when the change it describes rolls back', async () => {
    const marker = `rolled.back.${Date.now()}`;
    await expect(
      test.db.transaction().execute(async (tx) => {
        await writeAudit(tx, {
          organizationId: orgId,
          action: marker,
          resourceType: 'x',
          resourceId: 1,
          success: false,
          errorMessage: 'boom',
        });
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    const rows = await test.db.selectFrom('audit_log').select('id').where('action', '=', marker).execute();
    expect(rows).toEqual([]);
  });

  it('creates monthly partitions idempotently, moving rows out of the default partition', async () => {
    const far = new Date();
    far.setUTCMonth(far.getUTCMonth() + 6, 15);
    await test.db
      .insertInto('audit_log')
      .values({ organization_id: orgId, action: 'future', resource_type: 'x', resource_id: 1, timestamp: far })
      .execute();
    const where = () =>
      sql<{ part: string }>`SELECT tableoid::regclass::text AS part FROM audit_log WHERE action = 'future'`.execute(test.db);
    expect((await where()).rows[0]?.part).toBe('audit_log_default');

    const created = await ensureAuditPartitions(test.db, 7);
    expect(created).toEqual([4, 5, 6, 7].map(partitionName));
    expect((await where()).rows[0]?.part).toBe(partitionName(6));
    expect(await ensureAuditPartitions(test.db, 7)).toEqual([]);
  });

  it('keeps partitions reachable only through audit_log for the tenant role', async () => {
    await ensureAuditPartitions(test.db, 8);
    const { rows } = await sql<{ parent: boolean; part: boolean; fresh: boolean }>`
      SELECT has_table_privilege('dg_app', 'audit_log', 'SELECT') AS parent,
             has_table_privilege('dg_app', ${partitionName(0)}, 'SELECT') AS part,
             has_table_privilege('dg_app', ${partitionName(8)}, 'SELECT') AS fresh`.execute(test.db);
    expect(rows[0]).toEqual({ parent: true, part: false, fresh: false });
  });

  it('rejects a nonsensical horizon', async () => {
    await expect(ensureAuditPartitions(test.db, -1)).rejects.toThrow(RangeError);
  });
});
