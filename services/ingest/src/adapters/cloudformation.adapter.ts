/**
 * CloudFormation drift: DescribeStackResourceDrifts output ({ StackResourceDrifts, NextToken? }),
 * a DetectStackResourceDrift result ({ StackResourceDrift }) or a bare array of drifts.
 * PropertyDifferences are CloudFormation's own diff; a difference our normalization finds equal
 * (e.g. policy statement order) is dropped as a known false positive.
 */
import type { Adapter, Json, Observation, PropertyChange, RejectedItem, ResourceRef } from '../model/observation.js';
import { ScanFormatError } from '../model/scan-format.error.js';
import { MAX_SCAN_DEPTH, parseJsonText } from '../model/parse-scan-body.js';
import { isJsonPointer, parsePointer } from '../model/json-pointer.js';
import { equivalent, finalizeChange } from '../diff/diff.engine.js';
import { maskBody } from '../diff/sensitive.mask.js';
import { compact, isRecord, requireArray, str, type JsonRecord } from './input.guards.js';
import { wrongFormat } from './format.sniff.js';
import { finishOutput, latestOf, observedAtOf } from './observation.post-process.js';

const F = 'cloudformation';
const DIFFERENCE_TYPES: Record<string, PropertyChange['changeType']> = { ADD: 'added', REMOVE: 'removed', NOT_EQUAL: 'modified' };

export const cloudformationAdapter: Adapter = (input, opts) => {
  const { drifts, base } = driftList(input);
  const rejected: RejectedItem[] = [];
  const observations: Observation[] = [];
  drifts.forEach((d, i) => {
    const o = observationOf(d, `${base}/${i}`, rejected);
    // Each resource drift was checked at its own Timestamp; the scan was observed at the latest.
    const at = o && isRecord(d) ? observedAtOf(d.Timestamp, `${base}/${i}/Timestamp`, rejected) : undefined;
    if (o) observations.push(at ? { ...o, observedAt: at } : o);
  });
  const observedAt = latestOf(observations.map((o) => o.observedAt));
  return finishOutput(
    {
      format: F,
      resourcesSeen: observations.length,
      rejected,
      scanner: { name: 'cloudformation' },
      ...(observedAt ? { observedAt } : {}),
    },
    observations,
    opts,
  );
};

function driftList(input: unknown): { drifts: unknown[]; base: string } {
  if (Array.isArray(input)) return { drifts: input, base: '' };
  if (isRecord(input)) {
    if ('StackResourceDrifts' in input)
      return {
        drifts: requireArray(input.StackResourceDrifts, F, '/StackResourceDrifts', 'StackResourceDrifts'),
        base: '/StackResourceDrifts',
      };
    if ('StackResourceDrift' in input) return { drifts: [input.StackResourceDrift], base: '/StackResourceDrift' };
    if ('StackDriftDetectionId' in input || 'DetectionStatus' in input || 'StackDriftStatus' in input) {
      throw new ScanFormatError(
        'wrong_format',
        F,
        '',
        'this is a DescribeStackDriftDetectionStatus result (stack-level status only, no resources); send the output of ' +
          '`aws cloudformation describe-stack-resource-drifts --stack-name <stack>` (DescribeStackResourceDrifts) instead',
      );
    }
  }
  throw wrongFormat(
    F,
    'expected "StackResourceDrifts" (DescribeStackResourceDrifts), "StackResourceDrift" or an array of drifts',
    input,
  );
}

function observationOf(d: unknown, path: string, rejected: RejectedItem[]): Observation | undefined {
  if (!isRecord(d)) return void rejected.push({ path, reason: 'StackResourceDrift must be an object' });
  const logicalId = str(d.LogicalResourceId);
  const type = str(d.ResourceType);
  const status = str(d.StackResourceDriftStatus);
  if (!logicalId || !type || !status) {
    return void rejected.push({
      path,
      reason: 'StackResourceDrift needs LogicalResourceId, ResourceType and StackResourceDriftStatus',
    });
  }
  const hierarchy = isRecord(d.ModuleInfo) ? str(d.ModuleInfo.LogicalIdHierarchy) : undefined;
  const resource: ResourceRef = compact({
    address: hierarchy ? `${hierarchy}/${logicalId}` : logicalId,
    type,
    name: logicalId,
    physicalId: str(d.PhysicalResourceId),
    module: hierarchy,
    source: str(d.StackId),
  });
  const declared = properties(d.ExpectedProperties, `${path}/ExpectedProperties`);
  const actual = properties(d.ActualProperties, `${path}/ActualProperties`);
  switch (status) {
    case 'IN_SYNC':
      return { kind: 'in_sync', resource };
    case 'DELETED':
      return { kind: 'deleted', resource, declared: maskBody(declared) };
    case 'MODIFIED': {
      const changes = differences(d, path, resource, declared, actual, rejected);
      return changes.length > 0
        ? { kind: 'modified', resource, declared: maskBody(declared), actual: maskBody(actual), changes }
        : { kind: 'in_sync', resource };
    }
    case 'UNKNOWN':
    case 'NOT_CHECKED':
    case 'UNSUPPORTED':
      return compact({ kind: 'not_checked' as const, resource, status, reason: str(d.DriftStatusReason) });
    default:
      return void rejected.push({
        path: `${path}/StackResourceDriftStatus`,
        reason: `unknown StackResourceDriftStatus "${status}"`,
      });
  }
}

function differences(
  d: JsonRecord,
  path: string,
  ref: ResourceRef,
  declared: Json,
  actual: Json,
  rejected: RejectedItem[],
): PropertyChange[] {
  const out: PropertyChange[] = [];
  const list =
    d.PropertyDifferences === undefined || d.PropertyDifferences === null
      ? []
      : requireArray(d.PropertyDifferences, F, `${path}/PropertyDifferences`, 'PropertyDifferences');
  list.forEach((p, i) => {
    const ppath = `${path}/PropertyDifferences/${i}`;
    if (!isRecord(p) || typeof p.PropertyPath !== 'string' || !isJsonPointer(p.PropertyPath)) {
      return void rejected.push({ path: ppath, reason: 'PropertyDifference needs a PropertyPath starting with "/"' });
    }
    const changeType = DIFFERENCE_TYPES[String(p.DifferenceType)];
    if (!changeType)
      return void rejected.push({
        path: `${ppath}/DifferenceType`,
        reason: `unknown DifferenceType "${String(p.DifferenceType)}"`,
      });
    const expected = changeType === 'added' ? undefined : value(p.ExpectedValue, `${ppath}/ExpectedValue`);
    const actualValue = changeType === 'removed' ? undefined : value(p.ActualValue, `${ppath}/ActualValue`);
    if (changeType === 'modified' && sameUnderNormalization(p.PropertyPath, expected, actualValue, ref.type)) return;
    out.push(
      finalizeChange(ref, { path: p.PropertyPath, declared: expected, actual: actualValue, changeType }, undefined, {
        declared,
        actual,
      }),
    );
  });
  return out;
}

/** Compared under the property's own name, so name-driven rules apply (policy documents, Tags by Key). */
function sameUnderNormalization(
  pointer: string,
  expected: Json | undefined,
  actual: Json | undefined,
  resourceType: string,
): boolean {
  const segments = parsePointer(pointer);
  const key = segments[segments.length - 1] ?? '';
  return equivalent({ [key]: expected ?? null }, { [key]: actual ?? null }, { resourceType, profile: 'cloudformation' });
}

/**
 * ExpectedValue/ActualValue are JSON text ("null" when absent); a bare word is kept as text.
 * Nested JSON is untrusted input too: depth and forbidden keys are checked as for the body.
 */
function value(v: unknown, path = ''): Json | undefined {
  if (typeof v !== 'string') return v === undefined ? undefined : (v as Json);
  try {
    return parseJsonText(F, v, MAX_SCAN_DEPTH, path) as Json;
  } catch (err) {
    if (err instanceof ScanFormatError && err.code === 'malformed_json') return v;
    throw err;
  }
}

function properties(v: unknown, path: string): Json {
  if (typeof v !== 'string') return isRecord(v) ? (v as Json) : null;
  const parsed = value(v, path);
  return parsed === undefined ? null : parsed;
}
