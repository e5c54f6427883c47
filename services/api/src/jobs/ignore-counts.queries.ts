import { writeAudit, type Database } from '@driftguard/db';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';

/** What ingest writes in `scans.report.suppressedByIgnoreRules`: rule id → changes it held back. */
const ScanSuppressions = z.record(z.string(), z.number().int().nonnegative());

/** Ids of stored ignore rules; other keys are .driftignore lines (`driftignore:3`), which have no row to count on. */
const STORED_RULE_ID = /^[1-9][0-9]{0,9}$/;

export interface ScanCountsOutcome {
  /** uncounted scans found (at most `maxScans`) */
  found: number;
  /** scans whose counts were added by this call */
  scans: number;
  /** rule id → count added */
  added: Map<number, number>;
}

/**
 * Adds the suppression counts of up to `maxScans` completed scans of one organization that are
 * not counted yet to its ignore rules, in the caller's transaction (in the organization's
 * row-level-security scope). Each scan is marked counted in the same transaction; a scan another
 * run marked first (ON CONFLICT) adds nothing here, so two runs at once count it once. Each rule
 * whose count changed gets an audit row with its old and new count.
 */
export async function addScanSuppressions(
  tx: Transaction<Database>,
  orgId: number,
  maxScans: number,
): Promise<ScanCountsOutcome> {
  const pending = await tx
    .selectFrom('scans as s')
    .select(['s.id', sql<unknown>`s.report -> 'suppressedByIgnoreRules'`.as('suppressed')])
    .where('s.organization_id', '=', orgId)
    .where('s.status', '=', 'completed')
    .where(sql<boolean>`s.report ? 'suppressedByIgnoreRules' AND s.report -> 'suppressedByIgnoreRules' <> '{}'::jsonb`)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('ignore_rule_scan_counts as c').select('c.scan_id').whereRef('c.scan_id', '=', 's.id'))),
    )
    .orderBy('s.completed_at')
    .orderBy('s.id')
    .limit(maxScans)
    .execute();
  const added = new Map<number, number>();
  let scans = 0;
  for (const scan of pending) {
    const parsed = ScanSuppressions.safeParse(scan.suppressed);
    const counts = parsed.success ? Object.entries(parsed.data).filter(([id]) => STORED_RULE_ID.test(id)) : [];
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    const marked = await tx
      .insertInto('ignore_rule_scan_counts')
      .values({ scan_id: scan.id, organization_id: orgId, suppressed: String(total) })
      .onConflict((oc) => oc.column('scan_id').doNothing())
      .returning('scan_id')
      .executeTakeFirst();
    if (!marked) continue;
    scans++;
    for (const [id, n] of counts) if (n > 0) added.set(Number(id), (added.get(Number(id)) ?? 0) + n);
  }
  for (const [ruleId, n] of [...added].sort((a, b) => a[0] - b[0])) {
    const row = await tx
      .updateTable('ignore_rules')
      .set({ suppressed_count: sql`suppressed_count + ${n}` })
      .where('organization_id', '=', orgId)
      .where('id', '=', ruleId)
      .returning(['id', 'suppressed_count'])
      .executeTakeFirst();
    if (!row) {
      added.delete(ruleId); // removed since the scan ran
      continue;
    }
    const now = Number(row.suppressed_count);
    await writeAudit(tx, {
      organizationId: orgId,
      action: 'ignore_rule.suppressed_counted',
      resourceType: 'ignore_rule',
      resourceId: row.id,
      oldValues: { suppressedCount: now - n },
      newValues: { suppressedCount: now },
    });
  }
  return { found: pending.length, scans, added };
}
