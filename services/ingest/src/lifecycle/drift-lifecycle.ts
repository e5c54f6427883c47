import type { Transaction } from 'kysely';
import type { Database } from '@driftguard/db';
import { enqueue } from '@driftguard/bus';
import { fitDetectedEvent } from './drift-detected.event.js';
import type { DriftItem } from './drift-items.js';
import {
  findOpenByFingerprints,
  findOpenByResourceKeys,
  findOpenNotSeen,
  iacResourceIdOf,
  insertDrifts,
  markResolved,
  touchSeen,
  type OpenDrift,
} from './drift-events.queries.js';
import type { BatchCounts, Resolution, ScanRef } from './scan-context.js';

type Tx = Transaction<Database>;

interface AuditRow {
  action: string;
  id: number;
  newValues: Record<string, unknown>;
}

async function audit(tx: Tx, orgId: number, rows: AuditRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await tx
      .insertInto('audit_log')
      .values(
        rows.slice(i, i + 1000).map((r) => ({
          organization_id: orgId,
          action: r.action,
          resource_type: 'drift_event',
          resource_id: r.id,
          new_values: JSON.stringify(r.newValues),
        })),
      )
      .execute();
  }
}

/**
 * Applies one batch of a scan's drifts in the caller's transaction: refreshes drifts already
 * open, opens new ones (rows, changes, audit, drift.detected), and closes drifts of the same
 * resource and type that a new fingerprint supersedes. Drifts this scan already applied (a
 * restarted scan) are skipped, so re-running a batch changes nothing.
 */
export async function applyDriftBatch(
  tx: Tx,
  scan: ScanRef,
  items: DriftItem[],
  iacIds: ReadonlyMap<string, number>,
): Promise<BatchCounts> {
  const counts: BatchCounts = { opened: 0, updated: 0, resolved: 0 };
  const open = new Map(
    (
      await findOpenByFingerprints(
        tx,
        scan.envId,
        items.map((i) => i.fingerprint),
      )
    ).map((d) => [d.fingerprint!, d]),
  );
  const toTouch: number[] = [];
  const toInsert: DriftItem[] = [];
  for (const item of items) {
    const existing = open.get(item.fingerprint);
    if (!existing) toInsert.push(item);
    else if (existing.scanId !== scan.scanId) toTouch.push(existing.id);
  }
  await touchSeen(tx, toTouch, scan.scanId);
  counts.updated = toTouch.length;

  const newByKeyType = new Map(toInsert.map((i) => [`${i.resourceKey}\u0000${i.driftType}`, i.fingerprint]));
  const superseded = (await findOpenByResourceKeys(tx, scan.envId, [...new Set(toInsert.map((i) => i.resourceKey))])).filter(
    (d) => {
      const fp = newByKeyType.get(`${d.resourceKey}\u0000${d.driftType}`);
      return fp !== undefined && fp !== d.fingerprint && d.scanId !== scan.scanId;
    },
  );
  for (const d of superseded) {
    const by = newByKeyType.get(`${d.resourceKey}\u0000${d.driftType}`)!;
    counts.resolved += await resolveDrifts(tx, scan, [d], {
      by: 'scan',
      reason: 'superseded',
      scanId: scan.scanId,
      supersededBy: by,
    });
  }

  const inserted = await insertDrifts(tx, scan, toInsert, iacIds);
  counts.opened = inserted.length;
  const byFingerprint = new Map(toInsert.map((i) => [i.fingerprint, i]));
  const auditRows: AuditRow[] = [];
  for (const row of inserted) {
    const item = byFingerprint.get(row.fingerprint)!;
    const isSecurityCritical = item.securityRuleIds.length > 0;
    auditRows.push({
      action: 'drift.opened',
      id: row.id,
      newValues: { driftType: item.driftType, resourceKey: item.resourceKey, scanId: scan.scanId },
    });
    const data = fitDetectedEvent(
      {
        driftEventId: row.id,
        driftType: item.driftType,
        fingerprint: item.fingerprint,
        resource: stripUndefined(item.resource),
        iacResourceId: iacResourceIdOf(item.resource.address, iacIds),
        isSecurityCritical,
        detectedAt: row.detectedAt.toISOString(),
        observedAt: row.observedAt.toISOString(),
        scan: { id: scan.scanId, format: scan.format, ...(scan.scanner ? { scanner: scan.scanner } : {}) },
        ...(item.previousAddress ? { previousAddress: item.previousAddress } : {}),
      },
      item.changes,
      scan.eventBudgetBytes,
    );
    await enqueue(tx, 'drift.detected.v1', scan.orgId, scan.envId, data, { subjectRoot: scan.subjectRoot });
  }
  if (toTouch.length > 0) {
    for (const id of toTouch) auditRows.push({ action: 'drift.seen_again', id, newValues: { scanId: scan.scanId } });
  }
  await audit(tx, scan.orgId, auditRows);
  return counts;
}

/** Resolves open drifts on resources a scan saw in sync, and, for a full scan, those it did not show. */
export async function resolveAfterScan(
  tx: Tx,
  scan: ScanRef,
  inSyncKeys: string[],
  fullScopes: string[] | null,
): Promise<number> {
  let resolved = 0;
  const inSync = (await findOpenByResourceKeys(tx, scan.envId, inSyncKeys)).filter((d) => d.scanId !== scan.scanId);
  resolved += await resolveDrifts(tx, scan, inSync, { by: 'scan', reason: 'in_sync', scanId: scan.scanId });
  if (fullScopes) {
    const missing = await findOpenNotSeen(tx, scan.envId, fullScopes, scan.scanId);
    resolved += await resolveDrifts(tx, scan, missing, { by: 'scan', reason: 'not_in_full_scan', scanId: scan.scanId });
  }
  return resolved;
}

/** Closes drifts with audit rows and drift.resolved events; returns how many it closed. */
export async function resolveDrifts(
  tx: Tx,
  where: { orgId: number; envId: number; subjectRoot: string },
  drifts: Pick<OpenDrift, 'id'>[],
  resolution: Resolution,
): Promise<number> {
  const { orgId, envId } = where;
  const closed = await markResolved(
    tx,
    drifts.map((d) => d.id),
    resolution,
  );
  await audit(
    tx,
    orgId,
    closed.map((c) => ({ action: 'drift.resolved', id: c.id, newValues: { ...resolution } })),
  );
  for (const c of closed) {
    await enqueue(
      tx,
      'drift.resolved.v1',
      orgId,
      envId,
      {
        driftEventId: c.id,
        resolvedAt: c.resolvedAt.toISOString(),
        resolutionType: resolution.resolutionType ?? null,
        resolvedBy: resolution.by,
        ...(resolution.confirmedCause ? { confirmedCause: resolution.confirmedCause } : {}),
        ...(resolution.actor ? { actor: resolution.actor } : {}),
        ...(resolution.note ? { note: resolution.note } : {}),
      },
      { subjectRoot: where.subjectRoot },
    );
  }
  return closed.length;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
