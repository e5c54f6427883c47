import { PermanentError, type BatchItem } from '@driftguard/bus';
import { RecommendationCreatedV1, type DataOf } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { createLogger } from '@driftguard/runtime';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftAnalyzedV1 } from '../src/handlers/drift.analyzed.v1.js';
import { createPolicyCache } from '../src/policy/policy-cache.js';
import { startRecommender, type RecommenderHarness } from './recommender.harness.js';
import { analyzed, change, incident } from './scenario.builders.js';

let h: RecommenderHarness;
beforeAll(async () => {
  h = await startRecommender('recommender_batch');
});
afterAll(async () => h?.stop());

const log = createLogger({ level: 'silent', name: 'batch-test' });

function item(data: DataOf<'drift.analyzed.v1'>): BatchItem<'drift.analyzed.v1', Database> {
  const event = {
    id: uuidv7(),
    type: 'drift.analyzed',
    occurredAt: new Date().toISOString(),
    orgId: h.orgId,
    envId: h.envId,
    data,
  };
  return { event, meta: { subject: 'test', deliveryCount: 1, streamSeq: 1, log, headers: {} } };
}

const fix = (driftEventId: number, analysisVersion: number, name: string) =>
  analyzed({
    driftEventId,
    analysisVersion,
    resource: { type: 'aws_instance', address: `aws_instance.${name}`, name, physicalId: `i-${name}` },
    changes: [change('/tags/Owner', 'payments', 'checkout-team')],
    cause: 'emergency_fix',
    correlated: [incident('resolved')],
  });

async function openDrift(resolved = false): Promise<number> {
  const row = await h.db
    .insertInto('drift_events')
    .values({ environment_id: h.envId, drift_type: 'modified', ...(resolved ? { resolved_at: new Date() } : {}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const handler = () => driftAnalyzedV1({ subjectRoot: h.subjectRoot, policies: createPolicyCache(0) });

describe('drift.analyzed handled as a batch', () => {
  it('supersedes, expires, skips and recommends twice for one drift, each as one by one would', async () => {
    const [earlier, resolved, twice, stale] = [await openDrift(), await openDrift(true), await openDrift(), await openDrift()];
    const handle = handler();
    // The first analyses, alone: `earlier` and `stale` get open recommendations of version 1 and 3.
    await h.db.transaction().execute((tx) => handle([item(fix(earlier, 1, 'earlier')), item(fix(stale, 3, 'stale'))], tx, log));

    await h.db
      .transaction()
      .execute((tx) =>
        handle(
          [
            item(fix(earlier, 2, 'earlier')),
            item(fix(resolved, 1, 'resolved')),
            item(fix(twice, 1, 'twice')),
            item(fix(stale, 2, 'stale')),
            item(fix(twice, 2, 'twice')),
          ],
          tx,
          log,
        ),
      );

    const rows = await h.db
      .selectFrom('recommendations')
      .select(['id', 'drift_event_id', 'analysis_version', 'status', 'superseded_by'])
      .where('drift_event_id', 'in', [earlier, resolved, twice, stale])
      .orderBy('id')
      .execute();
    const of = (drift: number) => rows.filter((r) => r.drift_event_id === drift);
    const [e1, e2] = of(earlier);
    expect([e1, e2]).toMatchObject([
      { analysis_version: 1, status: 'superseded', superseded_by: e2!.id },
      { analysis_version: 2, status: 'open', superseded_by: null },
    ]);
    expect(of(resolved)).toMatchObject([{ analysis_version: 1, status: 'expired' }]);
    const [t1, t2] = of(twice);
    expect([t1, t2]).toMatchObject([
      { analysis_version: 1, status: 'superseded', superseded_by: t2!.id },
      { analysis_version: 2, status: 'open', superseded_by: null },
    ]);
    expect(of(stale)).toMatchObject([{ analysis_version: 3, status: 'open' }]);

    const audits = await h.db
      .selectFrom('audit_log')
      .select(['action', 'resource_id'])
      .where('resource_type', '=', 'recommendation')
      .where(
        'resource_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    expect(audits.map((a) => [a.resource_id, a.action]).sort()).toEqual(
      rows.map((r) => [r.id, r.drift_event_id === resolved ? 'recommendation.expired' : 'recommendation.created']).sort(),
    );

    // recommendation.created for every open or superseded one (the expired one publishes nothing).
    const outbox = await h.db
      .selectFrom('outbox')
      .select('payload')
      .where('event_type', '=', 'recommendation.created.v1')
      .execute();
    const created = outbox.map((o) => RecommendationCreatedV1.parse(o.payload).data);
    expect(created.map((c) => c.recommendationId).sort()).toEqual(
      rows
        .filter((r) => r.status !== 'expired')
        .map((r) => r.id)
        .sort(),
    );
    expect(created.find((c) => c.recommendationId === t2!.id)?.supersedes).toBe(t1!.id);
  });

  it('refuses the whole batch, writing nothing, when one drift is not where its event says', async () => {
    const drift = await openDrift();
    const run = h.db
      .transaction()
      .execute((tx) => handler()([item(fix(drift, 1, 'kept')), item(fix(drift + 1000, 1, 'missing'))], tx, log));
    await expect(run).rejects.toThrow(PermanentError);
    await expect(run).rejects.toThrow(`drift ${drift + 1000} does not exist`);
    const written = await h.db.selectFrom('recommendations').select('id').where('drift_event_id', '=', drift).execute();
    expect(written).toEqual([]);
  });
});
