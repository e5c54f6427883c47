import { sql, type Transaction } from 'kysely';
import type { Database } from '@driftguard/db';
import type { DriftItem } from './drift-items.js';
import type { Resolution, ScanRef } from './scan-context.js';

type Tx = Transaction<Database>;

/**
 * `drift_changes.property_path` holds 500 characters; longer pointers are clipped visibly. A
 * claim-check reference names the path as stored, so it finds the row.
 */
const PATH_MAX = 500;
export function storedPropertyPath(path: string): string {
  return path.length <= PATH_MAX ? path : `${path.slice(0, PATH_MAX - 1)}…`;
}

export interface OpenDrift {
  id: number;
  fingerprint: string | null;
  scanId: string | null;
  resourceKey: string | null;
  driftType: string;
}

const openColumns = ['id', 'fingerprint', 'scan_id as scanId', 'resource_key as resourceKey', 'drift_type as driftType'] as const;

export async function findOpenByFingerprints(tx: Tx, envId: number, fingerprints: string[]): Promise<OpenDrift[]> {
  if (fingerprints.length === 0) return [];
  return tx
    .selectFrom('drift_events')
    .select(openColumns)
    .where('environment_id', '=', envId)
    .where('resolved_at', 'is', null)
    .where(sql<boolean>`fingerprint = any(${fingerprints}::text[])`)
    .forUpdate()
    .execute();
}

export async function findOpenByResourceKeys(tx: Tx, envId: number, keys: string[]): Promise<OpenDrift[]> {
  if (keys.length === 0) return [];
  return tx
    .selectFrom('drift_events')
    .select(openColumns)
    .where('environment_id', '=', envId)
    .where('resolved_at', 'is', null)
    .where(sql<boolean>`resource_key = any(${keys}::text[])`)
    .forUpdate()
    .execute();
}

/** Open drifts of the scan's scopes that this scan did not show: a full scan resolves them. */
export async function findOpenNotSeen(tx: Tx, envId: number, scopes: string[], scanId: string): Promise<OpenDrift[]> {
  return tx
    .selectFrom('drift_events')
    .select(openColumns)
    .where('environment_id', '=', envId)
    .where('resolved_at', 'is', null)
    .where(sql<boolean>`source_scope = any(${scopes}::text[])`)
    .where((eb) => eb.or([eb('scan_id', 'is', null), eb('scan_id', '!=', scanId)]))
    .forUpdate()
    .execute();
}

/** Seen again: refresh last seen, count and scan; the drift itself is unchanged. */
export async function touchSeen(tx: Tx, ids: number[], scanId: string): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .updateTable('drift_events')
    .set({ last_seen_at: sql`now()`, seen_count: sql`seen_count + 1`, scan_id: scanId })
    .where(sql<boolean>`id = any(${ids}::int[])`)
    .execute();
}

/**
 * The declared resource a drift's address names, or null: an unmanaged resource has no address,
 * and an empty address (some scanners send one) names nothing.
 */
export function iacResourceIdOf(address: string | undefined, iacIds: ReadonlyMap<string, number>): number | null {
  return address ? (iacIds.get(address) ?? null) : null;
}

export async function insertDrifts(
  tx: Tx,
  scan: ScanRef,
  items: DriftItem[],
  iacIds: ReadonlyMap<string, number>,
): Promise<{ id: number; fingerprint: string; detectedAt: Date; observedAt: Date }[]> {
  if (items.length === 0) return [];
  const rows = await tx
    .insertInto('drift_events')
    .values(
      items.map((it) => ({
        environment_id: scan.envId,
        iac_resource_id: iacResourceIdOf(it.resource.address, iacIds),
        drift_type: it.driftType,
        actual_state: it.actual === null ? null : JSON.stringify(it.actual),
        declared_state: it.declared === null ? null : JSON.stringify(it.declared),
        metadata: JSON.stringify(driftMetadata(scan, it)),
        fingerprint: it.fingerprint,
        resource_key: it.resourceKey.slice(0, 600),
        source_scope: it.scope.slice(0, 300),
        scan_id: scan.scanId,
        last_seen_at: sql`now()`,
        observed_at:
          it.observedAt ?? sql<Date>`coalesce((select submitted_at from scans where id = ${scan.scanId}::uuid), now())`,
      })),
    )
    .returning(['id', 'fingerprint', 'detected_at', 'observed_at'])
    .execute();
  const changes = [];
  const byFingerprint = new Map(items.map((it) => [it.fingerprint, it]));
  for (const row of rows) {
    const item = byFingerprint.get(row.fingerprint!)!;
    for (const c of item.changes) {
      changes.push({
        drift_event_id: row.id,
        property_path: storedPropertyPath(c.path),
        declared_value: c.declared === undefined ? null : JSON.stringify(c.declared),
        actual_value: c.actual === undefined ? null : JSON.stringify(c.actual),
        change_type: c.changeType,
        is_security_critical: c.securityRuleIds.length > 0,
        is_sensitive: c.sensitive,
        value_hash: c.valueHash ?? null,
        security_rule_ids: JSON.stringify(c.securityRuleIds),
      });
    }
  }
  for (let i = 0; i < changes.length; i += 2000) {
    await tx
      .insertInto('drift_changes')
      .values(changes.slice(i, i + 2000))
      .execute();
  }
  return rows.map((r) => ({
    id: r.id,
    fingerprint: r.fingerprint!,
    detectedAt: r.detected_at as Date,
    observedAt: r.observed_at as Date,
  }));
}

function driftMetadata(scan: ScanRef, it: DriftItem): Record<string, unknown> {
  const { address, type, name, physicalId, provider, module, namespace, kind, apiVersion, source } = it.resource;
  return {
    resource: { address, type, name, physicalId, provider, module, namespace, kind, apiVersion, source },
    seenIn: { scanId: scan.scanId, format: scan.format, scanner: scan.scanner },
    ...(it.previousAddress ? { previousAddress: it.previousAddress } : {}),
    ...(it.attribution ? { attribution: it.attribution } : {}),
    securityRuleIds: it.securityRuleIds,
  };
}

/** Closes drifts, recording how in their metadata; returns those this call actually closed. */
export async function markResolved(tx: Tx, ids: number[], resolution: Resolution): Promise<{ id: number; resolvedAt: Date }[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .updateTable('drift_events')
    .set({
      resolved_at: sql`now()`,
      resolution_type: resolution.resolutionType ?? null,
      metadata: sql`coalesce(metadata, '{}'::jsonb) || jsonb_build_object('resolution', ${JSON.stringify(resolution)}::jsonb)`,
    })
    .where(sql<boolean>`id = any(${ids}::int[])`)
    .where('resolved_at', 'is', null)
    .returning(['id', 'resolved_at'])
    .execute();
  return rows.map((r) => ({ id: r.id, resolvedAt: r.resolved_at as Date }));
}
