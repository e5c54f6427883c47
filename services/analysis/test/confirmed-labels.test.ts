import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmedLabels, CONFIRMED_LABEL_WEIGHT, trainCauseModel } from '../src/ml/index.js';
import { waitUntil } from './analysis.harness.js';
import { startPipeline, type Pipeline } from './pipeline.harness.js';
import { driftScan } from './source-payloads.js';

/** An engineer's confirmed cause, given when resolving a drift, is a label the next training learns from. */
let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline('analysis_labels');
});
afterAll(async () => p?.stop());

describe('confirmed causes as labels', () => {
  it('records the confirmedCause of drift.resolved and trains on it with the features the drift was analyzed with', async () => {
    const env = await p.environment('labels');
    await p.scan(
      env,
      'native',
      driftScan(
        { type: 'aws_instance', address: 'aws_instance.api', physicalId: 'i-0bbbbbbbbbbbbbbb1' },
        { instance_type: 'm5.large' },
        { instance_type: 'm5.xlarge' },
      ),
    );
    const analyzed = await p.waitAnalyzed(env);
    expect(analyzed.cause.category).toBe('unknown');
    expect(await confirmedLabels(p.db)).toEqual([]);

    // The engineer resolves it through ingest's command, naming the cause they found.
    await p.publish('cmd.drift.resolve.v1', env.envId, {
      driftEventId: analyzed.driftEventId,
      resolutionType: 'codify_iac',
      confirmedCause: 'emergency_fix',
      actor: 'alice@example.com',
    });
    const row = await waitUntil(async () => {
      const r = await p.db
        .selectFrom('drift_cause_analysis')
        .select(['confirmed_cause', 'confirmed_at', 'cause_category'])
        .where('drift_event_id', '=', analyzed.driftEventId)
        .executeTakeFirst();
      return r?.confirmed_cause ? r : undefined;
    });
    // The analysis keeps its own verdict; the label sits beside it.
    expect(row).toMatchObject({ confirmed_cause: 'emergency_fix', cause_category: 'unknown' });

    const labels = await confirmedLabels(p.db);
    expect(labels).toHaveLength(1);
    expect(labels[0]).toMatchObject({ driftEventId: analyzed.driftEventId, cause: 'emergency_fix' });
    // The features are those the drift was analyzed with: nothing correlated, an instance resize.
    expect(labels[0]!.features).toMatchObject({ incident_active: 0, actor_unknown: 1, resource_compute: 1 });

    const trained = await trainCauseModel({
      seed: 5,
      samples: 120,
      folds: 2,
      evalSamples: 120,
      params: { rounds: 2, maxDepth: 2, eta: 0.3 },
      labels,
    });
    expect(trained.report.confirmedLabelDriftIds).toEqual([analyzed.driftEventId]);
    const withoutLabels = await trainCauseModel({
      seed: 5,
      samples: 120,
      folds: 2,
      evalSamples: 120,
      params: { rounds: 2, maxDepth: 2, eta: 0.3 },
    });
    expect(trained.report.trainingRows - withoutLabels.report.trainingRows).toBe(CONFIRMED_LABEL_WEIGHT);
  });

  it('keeps no label for a resolution without a confirmed cause', async () => {
    const env = await p.environment('no-label');
    await p.scan(
      env,
      'native',
      driftScan(
        { type: 'aws_instance', address: 'aws_instance.web', physicalId: 'i-0bbbbbbbbbbbbbbb2' },
        { monitoring: true },
        { monitoring: false },
      ),
    );
    const analyzed = await p.waitAnalyzed(env);
    await p.publish('cmd.drift.resolve.v1', env.envId, { driftEventId: analyzed.driftEventId, resolutionType: 'accepted' });
    await waitUntil(async () => {
      const d = await p.db
        .selectFrom('drift_events')
        .select('resolved_at')
        .where('id', '=', analyzed.driftEventId)
        .executeTakeFirstOrThrow();
      return d.resolved_at !== null;
    });
    // drift.resolved went out and analysis consumed it.
    await p.settled();
    const row = await p.db
      .selectFrom('drift_cause_analysis')
      .select('confirmed_cause')
      .where('drift_event_id', '=', analyzed.driftEventId)
      .executeTakeFirstOrThrow();
    expect(row.confirmed_cause).toBeNull();
    expect((await confirmedLabels(p.db)).map((l) => l.driftEventId)).not.toContain(analyzed.driftEventId);
  });
});
