import type { DriftType, ScanFormat } from '@driftguard/contracts';
import type { Json, Observation, PropertyChange, ResourceRef } from '../model/observation.js';
import { escapePointerSegment } from '../model/json-pointer.js';
import { evaluateSecurity } from '../rules/index.js';
import { driftFingerprint, resourceKey } from './fingerprint.js';
import { guardObservation, guardText, type ValueHasher } from '../sensitivity/index.js';

/** One drift a scan shows, ready to be matched against the open drifts of its environment. */
export interface DriftItem {
  driftType: DriftType;
  resource: ResourceRef;
  resourceKey: string;
  scope: string;
  fingerprint: string;
  declared: Json | null;
  actual: Json | null;
  changes: PropertyChange[];
  /** Security rules the drift matches: its changes', or for a whole added or deleted resource, its body's. */
  securityRuleIds: string[];
  previousAddress?: string;
  attribution?: unknown;
  /** When the scanner observed it (ISO 8601); absent: the scan's submission time. */
  observedAt?: string;
}

/** What a scan shows: drifts to open or refresh, and resources seen clean (which resolves them). */
export interface ScanFindings {
  drifts: DriftItem[];
  inSyncKeys: Set<string>;
  scopes: Set<string>;
  notChecked: { resource: ResourceRef; status: string; reason?: string }[];
}

/**
 * The scope a full scan speaks for: a full scan resolves only open drifts of its own scope, so a
 * Kubernetes scan never closes a CloudFormation drift, nor one stack's scan another stack's.
 */
export function scopeOf(format: ScanFormat, ref: ResourceRef): string {
  if (format === 'cloudformation' && ref.source) return `cloudformation:${ref.source}`;
  return format;
}

/**
 * Rules an unmanaged (added) or vanished (deleted) resource matches as a whole: each top-level
 * property is judged as if it had been added or removed, so an unmanaged security group open to
 * the world, or a deleted public access block, is flagged like the property change would be.
 */
function wholeResourceRules(ref: ResourceRef, body: Json | null, side: 'added' | 'removed'): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  const ids = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    const change: PropertyChange = {
      path: `/${escapePointerSegment(key)}`,
      declared: side === 'removed' ? value : undefined,
      actual: side === 'added' ? value : undefined,
      changeType: side,
      sensitive: false,
      securityRuleIds: [],
    };
    for (const id of evaluateSecurity(ref, change, side === 'added' ? { actual: body } : { declared: body })) ids.add(id);
  }
  return [...ids];
}

const changeRules = (changes: readonly PropertyChange[]) => [...new Set(changes.flatMap((c) => c.securityRuleIds))];

/**
 * Turns a scan's observations into drifts. Every observation passes the sensitivity gate first
 * (sensitivity/observation.gate.ts): what leaves here — bodies, changes, keyed hashes, notes — is
 * what is stored and published, so no secret and no unkeyed hash can reach a row or an event.
 * Throws SecretMaskDepthError for a body too deep to check.
 */
export function toFindings(
  envId: number,
  format: ScanFormat,
  observations: readonly Observation[],
  hasher: ValueHasher,
): ScanFindings {
  const drifts: DriftItem[] = [];
  const inSyncKeys = new Set<string>();
  const scopes = new Set<string>([format]);
  const notChecked: ScanFindings['notChecked'] = [];
  const seen = new Set<string>();
  for (const raw of observations) {
    const o = guardObservation(raw, hasher);
    const key = resourceKey(o.resource);
    const scope = scopeOf(format, o.resource);
    scopes.add(scope);
    const base = { resource: o.resource, resourceKey: key, scope };
    let item: DriftItem;
    switch (o.kind) {
      case 'in_sync':
        inSyncKeys.add(key);
        continue;
      case 'not_checked':
        notChecked.push({ resource: o.resource, status: guardText(o.status), ...(o.reason ? { reason: o.reason } : {}) });
        continue;
      case 'modified':
        if (o.changes.length === 0) {
          inSyncKeys.add(key);
          continue;
        }
        item = {
          ...base,
          driftType: 'modified',
          declared: o.declared,
          actual: o.actual,
          changes: o.changes,
          securityRuleIds: changeRules(o.changes),
          fingerprint: '',
          ...(o.attribution ? { attribution: o.attribution } : {}),
        };
        break;
      case 'deleted':
        item = {
          ...base,
          driftType: 'deleted',
          declared: o.declared,
          actual: null,
          changes: [],
          securityRuleIds: wholeResourceRules(o.resource, o.declared, 'removed'),
          fingerprint: '',
        };
        break;
      case 'added':
        item = {
          ...base,
          driftType: 'added',
          declared: null,
          actual: o.actual,
          changes: [],
          securityRuleIds: wholeResourceRules(o.resource, o.actual, 'added'),
          fingerprint: '',
        };
        break;
      case 'moved':
        item = {
          ...base,
          driftType: 'moved',
          declared: o.declared,
          actual: o.actual,
          changes: o.changes,
          securityRuleIds: changeRules(o.changes),
          previousAddress: o.previousAddress,
          fingerprint: '',
        };
        break;
      default: {
        const never: never = o;
        throw new Error(`unknown observation ${(never as Observation).kind}`);
      }
    }
    if (o.observedAt !== undefined) item.observedAt = o.observedAt;
    item.fingerprint = driftFingerprint(envId, item.resource, item.driftType, item.changes, item.previousAddress ?? '');
    // A scanner may list the same resource twice (e.g. a plan's drift and change entries); keep one.
    if (seen.has(item.fingerprint)) continue;
    seen.add(item.fingerprint);
    drifts.push(item);
  }
  return { drifts, inSyncKeys, scopes, notChecked };
}
