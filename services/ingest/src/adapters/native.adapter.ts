import type { Adapter, Json, Observation, PropertyChange, RejectedItem, ResourceRef } from '../model/observation.js';
import { ScanFormatError } from '../model/scan-format.error.js';
import { toPointer } from '../model/json-pointer.js';
import { diffResource, finalizeChange } from '../diff/diff.engine.js';
import { maskBody } from '../diff/sensitive.mask.js';
import { compact, isRecord } from './input.guards.js';
import { wrongFormat } from './format.sniff.js';
import { finishOutput } from './observation.post-process.js';
import { SCAN_LIMITS } from '../limits.js';
import type { z } from 'zod';
import {
  type nativeChangeSchema,
  nativeObservationSchema,
  nativeScanSchema,
  type NativeObservation,
} from '@driftguard/contracts';

const F = 'native';

export const nativeAdapter: Adapter = (input, opts) => {
  if (!isRecord(input) || !('observations' in input)) throw wrongFormat(F, 'missing "observations"', input);
  const scan = nativeScanSchema.safeParse(input);
  if (!scan.success) {
    const issue = scan.error.issues[0]!;
    const path = toPointer(issue.path.map((p) => (typeof p === 'number' ? p : String(p))));
    throw new ScanFormatError('invalid_structure', F, path, `${path || 'body'}: ${issue.message}`);
  }
  // Bounded before each item is read: a flood of unreadable items would otherwise cost a rejection each.
  const count = scan.data.observations.length;
  if (count > SCAN_LIMITS.maxResources) {
    const value = SCAN_LIMITS.maxResources;
    throw new ScanFormatError(
      'too_many',
      F,
      '/observations',
      `the scan reports ${count} observations; the limit (maxResources) is ${value}`,
      { limit: { limit: 'maxResources', value } },
    );
  }
  const rejected: RejectedItem[] = [];
  const observations: Observation[] = [];
  scan.data.observations.forEach((item, i) => {
    const parsed = nativeObservationSchema.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        rejected.push({
          path: `/observations/${i}${toPointer(issue.path.map((p) => (typeof p === 'number' ? p : String(p))))}`,
          reason: issue.message,
        });
      }
      return;
    }
    observations.push(toObservation(parsed.data));
  });
  return finishOutput(
    {
      format: F,
      resourcesSeen: scan.data.resourcesSeen ?? observations.length,
      rejected,
      ...(scan.data.scanner ? { scanner: compact({ ...scan.data.scanner }) } : {}),
      ...(scan.data.observedAt ? { observedAt: new Date(scan.data.observedAt).toISOString() } : {}),
    },
    observations,
    opts,
  );
};

function toObservation(o: NativeObservation): Observation {
  const resource: ResourceRef = compact({ ...o.resource });
  switch (o.kind) {
    case 'modified': {
      const changes = changesOf(resource, o.declared, o.actual, o.changes, o.sensitivePaths);
      return changes.length > 0
        ? {
            kind: 'modified',
            resource,
            declared: maskBody(o.declared, o.sensitivePaths),
            actual: maskBody(o.actual, o.sensitivePaths),
            changes,
          }
        : { kind: 'in_sync', resource };
    }
    case 'moved': {
      const declared = o.declared ?? null;
      const actual = o.actual ?? null;
      const changes = changesOf(resource, declared, actual, o.changes, o.sensitivePaths);
      return {
        kind: 'moved',
        resource,
        previousAddress: o.previousAddress,
        declared: maskBody(declared, o.sensitivePaths),
        actual: maskBody(actual, o.sensitivePaths),
        changes,
      };
    }
    case 'deleted':
      return { kind: 'deleted', resource, declared: maskBody(o.declared ?? null, o.sensitivePaths) };
    case 'added':
      return { kind: 'added', resource, actual: maskBody(o.actual ?? null, o.sensitivePaths) };
    case 'in_sync':
      return { kind: 'in_sync', resource };
    case 'not_checked':
      return compact({ kind: 'not_checked' as const, resource, status: o.status, reason: o.reason });
    default: {
      const unknownKind: never = o;
      throw new Error(`unknown observation kind ${JSON.stringify(unknownKind)}`);
    }
  }
}

function changesOf(
  ref: ResourceRef,
  declared: Json,
  actual: Json,
  given: z.infer<typeof nativeChangeSchema>[] | undefined,
  sensitivePaths: string[] | undefined,
): PropertyChange[] {
  if (!given)
    return diffResource(declared, actual, {
      resourceType: ref.type,
      resource: ref,
      ...(sensitivePaths ? { sensitivePaths } : {}),
    });
  return given.map((c) =>
    finalizeChange(
      ref,
      {
        path: c.path,
        declared: c.declared,
        actual: c.actual,
        changeType:
          c.changeType ??
          (c.declared === undefined || c.declared === null
            ? 'added'
            : c.actual === undefined || c.actual === null
              ? 'removed'
              : 'modified'),
        ...(c.sensitive !== undefined ? { sensitive: c.sensitive } : {}),
      },
      sensitivePaths,
      { declared, actual },
    ),
  );
}
