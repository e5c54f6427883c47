import { CauseCategory, DriftType } from '@driftguard/contracts';
import { ACTOR_KINDS, CHANNELS } from './actor.classify.js';
import { PROPERTY_KINDS, RESOURCE_KINDS } from './resource-kinds.js';

/**
 * The model's input columns, in vector order. Timing features: `*_active` is 1 when the change
 * fell inside the signal (incident open, alert firing, deployment running or within the hour
 * after, maintenance window open); `*_near` is the distance to the nearest signal on a log scale,
 * 0 = during it, 1 = a week or more / none at all. Categorical inputs are one-hot.
 */
export const FEATURE_GROUPS = {
  incident: ['incident_active', 'incident_open', 'incident_near', 'incident_severity', 'incident_security'],
  alert: ['alert_active', 'alert_near', 'alert_load', 'alert_error', 'alert_security'],
  deployment: ['deploy_active', 'deploy_near', 'deploy_failed'],
  maintenance: ['maint_active', 'maint_near'],
  time: ['hour', 'off_hours', 'weekend', 'holiday'],
  actor: ACTOR_KINDS.map((k) => `actor_${k}` as const),
  channel: CHANNELS.map((c) => `channel_${c}` as const),
  resource: RESOURCE_KINDS.map((k) => `resource_${k}` as const),
  properties: [...PROPERTY_KINDS.map((k) => `prop_${k}` as const), 'changed_count'],
  security_rules: ['security_rules', 'security_critical'],
  commit: ['commit_touched_file', 'commit_near'],
  revert: ['reverted'],
  drift_type: DriftType.options.map((t) => `drift_${t}` as const),
  history: ['history_total', ...CauseCategory.options.map((c) => `history_${c}` as const)],
} as const;

export type FeatureGroup = keyof typeof FEATURE_GROUPS;
export type FeatureName = (typeof FEATURE_GROUPS)[FeatureGroup][number];

/** Every feature name, in the order of the encoded vector. */
export const FEATURE_NAMES: readonly FeatureName[] = Object.values(FEATURE_GROUPS).flat();

/** Named features of one drift; `encodeFeatures` turns them into the model's vector. */
export type CauseFeatures = Record<FeatureName, number>;

/** The vector of `features` in `FEATURE_NAMES` order. */
export function encodeFeatures(features: CauseFeatures): number[] {
  return FEATURE_NAMES.map((n) => features[n]);
}

/**
 * Reads a stored named-feature map (a recorded prediction's features) back into the current
 * layout; a feature the map lacks takes `fallback`'s value, so older records stay usable.
 */
export function featuresFromRecord(record: Readonly<Record<string, unknown>>, fallback: CauseFeatures): CauseFeatures {
  const out = { ...fallback };
  for (const name of FEATURE_NAMES) {
    const v = record[name];
    if (typeof v === 'number' && Number.isFinite(v)) out[name] = v;
  }
  return out;
}
