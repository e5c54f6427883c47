import type { StepPatch } from '@driftguard/contracts';
import type { Operation } from 'fast-json-patch';
import { addsMask, unifiedDiff } from './file-diff.js';
import { editManifestFile, type DocumentMatch } from './manifest-file.patch.js';
import type { PlanInput } from './plan-input.js';

export type SourceDiff = { patch: StepPatch; commit: string } | { why: string } | null;

/**
 * RFC 6902 operations on the resource's document, made into a unified diff of the synced file
 * declaring it; `why` when there is a file but no diff can be made of it; null without a file.
 */
export function documentFileDiff(input: PlanInput, match: DocumentMatch, ops: readonly Operation[]): SourceDiff {
  const source = input.source;
  if (!source || ops.length === 0) return null;
  if (source.text === null) return { why: `${source.path} is too large to keep for a diff` };
  const edited = editManifestFile(source.text, match, ops);
  if ('problem' in edited) return { why: `no diff of ${source.path}: ${edited.problem}` };
  const patch = unifiedDiff(source.path, source.text, edited.text);
  if (patch && addsMask(patch)) return { why: `no diff of ${source.path}: it would rewrite lines that hold a secret` };
  return patch ? { patch, commit: source.commit } : null;
}
