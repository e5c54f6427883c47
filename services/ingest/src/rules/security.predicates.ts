/**
 * Building blocks for security rule predicates. A predicate sees the change and, when the adapter
 * has them, the whole declared/actual bodies, and answers "does this change weaken security?".
 */
import type { Json, PropertyChange, ResourceRef } from '../model/observation.js';
import { parsePointer } from '../model/json-pointer.js';
import { scalarText } from '../model/scalar-text.js';

export interface SecurityRuleContext {
  ref: ResourceRef;
  change: PropertyChange;
  declared?: Json | undefined;
  actual?: Json | undefined;
}

export type SecurityPredicate = (ctx: SecurityRuleContext) => boolean;

export const WORLD_IPV4 = new Set(['0.0.0.0/0', '0.0.0.0', '*', 'Internet', 'Any', 'any']);
export const WORLD_IPV6 = new Set(['::/0', '*']);
/** SSH, RDP and database / cache / search ports (Checkov CKV_AWS_24/25/260/277, AVD-AWS-0107). */
export const RISKY_PORTS = [22, 3389, 3306, 5432, 1433, 1521, 27017, 6379, 9200];

export function valueAt(root: Json | undefined, segments: readonly string[]): Json | undefined {
  let cur: Json | undefined = root;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(s)] : cur[s];
  }
  return cur;
}

export const isTrue = (v: Json | undefined): boolean => v === true || v === 'true';

/**
 * Values of `keys` after the change: the change's own value when it is at such a key, else every
 * occurrence inside the changed value (a whole block added or modified). A block that disappears
 * yields [undefined]: its flags are gone.
 */
export function valuesAfter(change: PropertyChange, keys: readonly string[]): (Json | undefined)[] {
  const segs = parsePointer(change.path);
  const last = segs[segs.length - 1];
  if (last !== undefined && keys.includes(last)) return [change.actual];
  if (change.actual === undefined || change.actual === null) return [undefined];
  const out: Json[] = [];
  collect(change.actual, keys, out, 0);
  return out;
}

function collect(v: Json, keys: readonly string[], out: Json[], depth: number): void {
  if (v === null || typeof v !== 'object' || depth > 32) return;
  if (Array.isArray(v)) {
    for (const x of v) collect(x, keys, out, depth + 1);
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    if (keys.includes(k)) out.push(x);
    else collect(x, keys, out, depth + 1);
  }
}

/** A flag that should be on (encryption, logging, blocks) is off or gone after the change. */
export const turnedOff =
  (...keys: string[]): SecurityPredicate =>
  ({ change }) =>
    valuesAfter(change, keys).some((v) => !isTrue(v));

/** A dangerous flag (privileged, hostNetwork, publicly_accessible) is on after the change. */
export const turnedOn =
  (...keys: string[]): SecurityPredicate =>
  ({ change }) =>
    valuesAfter(change, keys).some(isTrue);

export const valueNot =
  (expected: string, ...keys: string[]): SecurityPredicate =>
  ({ change }) =>
    valuesAfter(change, keys).some((v) => v !== expected);

export function asList(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

export function toPort(v: Json | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

/** Does a port range (inclusive) or an "all protocols" rule expose a risky port? */
export function exposesRiskyPort(protocol: Json | undefined, from: Json | undefined, to: Json | undefined): boolean {
  const p = typeof protocol === 'number' ? String(protocol) : protocol;
  if (p === '-1' || p === 'all' || p === '*' || p === 'All') return true;
  if (typeof p === 'string' && p !== '' && !['tcp', '6', 'TCP', 'Tcp'].includes(p)) return false;
  const lo = toPort(from);
  const hi = toPort(to) ?? lo;
  if (lo === undefined || hi === undefined) return true; // unknown range: assume exposed
  if (lo <= 0 && hi >= 65535) return true;
  return RISKY_PORTS.some((port) => port >= lo && port <= hi);
}

/** Azure / GCP port specs: "*", "22", "1000-2000". */
export function portSpecExposes(spec: Json | undefined): boolean {
  if (spec === undefined || spec === null || spec === '*' || spec === '') return true;
  const text = scalarText(spec);
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!m) return false;
  return exposesRiskyPort('tcp', Number(m[1]), Number(m[2] ?? m[1]));
}

/**
 * The rule elements a change touches after it happened: for a change inside `/<list>/<i>/…` the
 * element in the actual body; for an element added, the element; for the whole list, each element.
 */
export function elementsAfter(ctx: SecurityRuleContext): Record<string, Json>[] {
  const { change } = ctx;
  const segs = parsePointer(change.path);
  let candidates: Json[];
  if (segs.length <= 1) candidates = asList(change.actual);
  else if (segs.length === 2) candidates = change.changeType === 'removed' ? [] : [change.actual ?? null];
  else {
    const fromBody = valueAt(ctx.actual, segs.slice(0, 2));
    candidates = fromBody !== undefined ? [fromBody] : [];
  }
  return candidates.filter((c): c is Record<string, Json> => c !== null && typeof c === 'object' && !Array.isArray(c));
}

/** The standalone rule body after the change (a resource that is itself one rule). */
export function bodyAfter(ctx: SecurityRuleContext): Record<string, Json> | undefined {
  const a = ctx.actual;
  if (a !== null && a !== undefined && typeof a === 'object' && !Array.isArray(a)) return a;
  return undefined;
}

/**
 * An RBAC binding grants one of `roles` after the change: its roleRef name, read from the whole
 * body when the adapter has it, else from the changed value.
 */
export const bindsRole =
  (...roles: string[]): SecurityPredicate =>
  (ctx) => {
    const name = valueAt(ctx.actual, ['roleRef', 'name']) ?? valuesAfter(ctx.change, ['name'])[0];
    return typeof name === 'string' && roles.includes(name);
  };
