import { createHash } from 'node:crypto';
import {
  EVENT_VALUE_PREVIEW_CHARS,
  type ChangesTruncated,
  type DataOf,
  type DetectedDriftChange,
  type TruncatedValue,
} from '@driftguard/contracts';
import type { PropertyChange } from '../model/observation.js';
import { storedPropertyPath } from './drift-events.queries.js';

/** The budget when the bus's is not known: NATS's default max_payload (1 MB) halved, capped at 256 KiB. */
export const DEFAULT_EVENT_BUDGET_BYTES = 256 * 1024;
/** A change value whose JSON text is larger travels as a claim check (a preview, its size, hash and reference). */
export const EVENT_VALUE_MAX_BYTES = 4 * 1024;
/** At most this many changes travel in one event; the others are fetched by drift id. */
export const EVENT_CHANGES_MAX = 200;
/** Room kept for the envelope around `data` (id, type, timestamps, tenant ids). */
const ENVELOPE_ROOM = 1024;

type DetectedData = DataOf<'drift.detected.v1'>;

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * Fits drift.detected into `budgetBytes` whatever the resource: each value above
 * EVENT_VALUE_MAX_BYTES (or 1/64 of a smaller budget) becomes a `TruncatedValue`, and the
 * event carries the first changes, at most EVENT_CHANGES_MAX and as many as the budget holds,
 * with `changesTruncated` saying how many the drift has. The database keeps every change whole,
 * so a consumer follows the references for what it needs.
 */
export function fitDetectedEvent(
  base: Omit<DetectedData, 'changes' | 'changesTruncated'>,
  changes: readonly PropertyChange[],
  budgetBytes = DEFAULT_EVENT_BUDGET_BYTES,
): DetectedData {
  const valueMax = Math.min(EVENT_VALUE_MAX_BYTES, Math.floor(budgetBytes / 64));
  let room =
    budgetBytes -
    ENVELOPE_ROOM -
    byteLength(JSON.stringify({ ...base, changes: [], changesTruncated: claimCheck(base.driftEventId, 0, 0) }));
  const carried: DetectedDriftChange[] = [];
  for (const c of changes) {
    if (carried.length >= EVENT_CHANGES_MAX) break;
    const shaped = shapeChange(base.driftEventId, c, valueMax);
    const size = byteLength(JSON.stringify(shaped)) + 1;
    if (size > room) break;
    room -= size;
    carried.push(shaped);
  }
  return {
    ...base,
    changes: carried,
    ...(carried.length < changes.length
      ? { changesTruncated: claimCheck(base.driftEventId, changes.length, carried.length) }
      : {}),
  };
}

function claimCheck(driftEventId: number, total: number, included: number): ChangesTruncated {
  return { total, included, ref: { driftEventId } };
}

function shapeChange(driftEventId: number, c: PropertyChange, valueMax: number): DetectedDriftChange {
  const truncated: ('declared' | 'actual')[] = [];
  const side = (name: 'declared' | 'actual', value: PropertyChange['declared']) => {
    if (value === undefined) return {};
    const text = JSON.stringify(value);
    const bytes = byteLength(text);
    if (bytes <= valueMax) return { [name]: value };
    truncated.push(name);
    const cut: TruncatedValue = {
      truncated: true,
      preview: text.slice(0, EVENT_VALUE_PREVIEW_CHARS),
      bytes,
      sha256: createHash('sha256').update(text).digest('hex'),
      ref: { driftEventId, propertyPath: storedPropertyPath(c.path), side: name },
    };
    return { [name]: cut };
  };
  return {
    path: c.path,
    ...side('declared', c.declared),
    ...side('actual', c.actual),
    changeType: c.changeType,
    sensitive: c.sensitive,
    securityRuleIds: c.securityRuleIds,
    ...(truncated.length > 0 ? { truncated } : {}),
  };
}
