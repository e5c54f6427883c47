import { CauseCategory } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { baselineFeatures } from '../cause/cause-features.js';
import { featuresFromRecord } from '../cause/feature-names.js';
import type { ConfirmedLabel } from './training-data.js';

const FeatureRecord = z.record(z.string(), z.unknown());

/**
 * Causes engineers confirmed, as training examples. Label source: analysis records the
 * `confirmedCause` of drift.resolved in `drift_cause_analysis.confirmed_cause`
 * (handlers/drift.resolved.v1.ts); drifts resolved before that handler existed keep theirs in
 * ingest's `drift_events.metadata.resolution.confirmedCause`, read when analysis has none. The
 * features are those recorded with the drift's latest cause prediction
 * (`ml_predictions.prediction_metadata.features`), i.e. what was known when the drift was
 * analyzed. A confirmed drift never analyzed has no features and is skipped.
 */
export async function confirmedLabels(db: Kysely<Database>): Promise<ConfirmedLabel[]> {
  const { rows } = await sql<{ id: number; cause: unknown; features: unknown }>`
    SELECT d.id, coalesce(a.confirmed_cause, d.metadata->'resolution'->>'confirmedCause') AS cause, p.features
    FROM drift_events d
    LEFT JOIN drift_cause_analysis a ON a.drift_event_id = d.id
    JOIN LATERAL (
      SELECT prediction_metadata->'features' AS features FROM ml_predictions
      WHERE drift_event_id = d.id ORDER BY id DESC LIMIT 1
    ) p ON true
    WHERE a.confirmed_cause IS NOT NULL
       OR (d.resolved_at IS NOT NULL AND d.metadata->'resolution'->>'confirmedCause' IS NOT NULL)
    ORDER BY d.id`.execute(db);
  const baseline = baselineFeatures();
  const labels: ConfirmedLabel[] = [];
  for (const row of rows) {
    const cause = CauseCategory.safeParse(row.cause);
    const features = FeatureRecord.safeParse(row.features);
    if (cause.success && features.success)
      labels.push({ driftEventId: row.id, cause: cause.data, features: featuresFromRecord(features.data, baseline) });
  }
  return labels;
}
