import type { BatchItem } from '@driftguard/bus';
import type { DataOf } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { createLogger } from '@driftguard/runtime';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupingOptions } from '../src/grouping/grouping.js';
import { flushGroup } from '../src/grouping/group.flush.js';
import { lockGroup } from '../src/grouping/notification-groups.queries.js';
import { driftDetectedV1 } from '../src/handlers/drift.detected.v1.js';
import { recommendationCreatedV1 } from '../src/handlers/recommendation.created.v1.js';
import { createNotifierWorld, recommendation, type NotifierWorld } from './notifier.harness.js';

let w: NotifierWorld;
beforeAll(async () => {
  w = await createNotifierWorld('notifier_batch');
});
afterAll(async () => w?.stop());

const log = createLogger({ level: 'silent', name: 'batch-test' });
const opts: GroupingOptions = { groupWaitMs: 60_000, groupIntervalMs: 60_000, analysisWaitMs: 30_000, groupBy: [] };

const meta = { subject: 'test', deliveryCount: 1, streamSeq: 1, log, headers: {} };
const envelope = (type: string, envId: number) => ({
  id: uuidv7(),
  type,
  occurredAt: new Date().toISOString(),
  orgId: w.orgId,
  envId,
});

const detectedItem = (data: DataOf<'drift.detected.v1'>): BatchItem<'drift.detected.v1', Database> => ({
  event: { ...envelope('drift.detected', w.envId), data },
  meta,
});
const createdItem = (
  data: DataOf<'recommendation.created.v1'>,
  envId = w.envId,
): BatchItem<'recommendation.created.v1', Database> => ({
  event: { ...envelope('recommendation.created', envId), data },
  meta,
});

const itemsOf = (groupId: number) =>
  w.db
    .selectFrom('notification_group_items')
    .select(['drift_event_id', 'analysis_pending', 'priority'])
    .where('group_id', '=', groupId)
    .orderBy('drift_event_id')
    .execute();

describe('notifier admission handled as a batch', () => {
  it('amends a drift queued ahead of its analysis, skips a resolved one and groups the rest per environment', async () => {
    const other = await w.addEnvironment('staging', { tier: 'staging' });
    const [pending, resolved, fresh, twice, elsewhere] = [9001, 9002, 9003, 9004, 9005];
    const critical = recommendation({ driftEventId: pending, priority: 'critical', securityCritical: true });
    const detected: DataOf<'drift.detected.v1'> = {
      driftEventId: pending,
      driftType: 'modified',
      fingerprint: 'fp-pending',
      resource: critical.drift!.resource,
      iacResourceId: null,
      changes: [
        {
          path: '/ingress/0/cidr_blocks/0',
          declared: '10.0.0.0/8',
          actual: '0.0.0.0/0',
          changeType: 'modified',
          sensitive: false,
          securityRuleIds: ['sg-open-to-world'],
        },
      ],
      isSecurityCritical: true,
      detectedAt: new Date().toISOString(),
    };
    const notCritical = { ...detected, driftEventId: 9010, fingerprint: 'fp-quiet', isSecurityCritical: false };
    await w.db.transaction().execute((tx) => driftDetectedV1(opts)([detectedItem(detected), detectedItem(notCritical)], tx, log));
    const queued = await w.db
      .selectFrom('notification_group_items')
      .select(['group_id', 'drift_event_id', 'analysis_pending'])
      .execute();
    expect(queued).toMatchObject([{ drift_event_id: pending, analysis_pending: true }]);
    const groupId = queued[0]!.group_id;
    await w.db
      .insertInto('notification_resolved_drifts')
      .values({ organization_id: w.orgId, drift_event_id: resolved, resolved_at: new Date() })
      .execute();

    await w.db
      .transaction()
      .execute((tx) =>
        recommendationCreatedV1(opts)(
          [
            createdItem(critical),
            createdItem(recommendation({ driftEventId: resolved })),
            createdItem(recommendation({ driftEventId: fresh, priority: 'medium' })),
            createdItem(recommendation({ driftEventId: twice, priority: 'low' })),
            createdItem(recommendation({ driftEventId: elsewhere }), other),
            createdItem(recommendation({ driftEventId: twice, priority: 'high' })),
          ],
          tx,
          log,
        ),
      );

    // One group per environment; the pending drift amended in place, the later message of a drift winning.
    expect(await itemsOf(groupId)).toEqual([
      { drift_event_id: pending, analysis_pending: false, priority: 'critical' },
      { drift_event_id: fresh, analysis_pending: false, priority: 'medium' },
      { drift_event_id: twice, analysis_pending: false, priority: 'high' },
    ]);
    const groups = await w.db
      .selectFrom('notification_groups')
      .select(['id', 'environment_id', 'flush_at', 'created_at'])
      .where('status', '=', 'open')
      .orderBy('id')
      .execute();
    expect(groups.map((g) => g.environment_id)).toEqual([w.envId, other]);
    expect(await itemsOf(groups[1]!.id)).toMatchObject([{ drift_event_id: elsewhere }]);
    // The critical drift brings its group's flush forward to now; the other group waits group_wait.
    expect(groups[0]!.flush_at!.getTime()).toBeLessThan(Date.now() + 1_000);
    expect(groups[1]!.flush_at!.getTime() - groups[1]!.created_at.getTime()).toBeGreaterThan(50_000);
  });

  it('marks on a flush only the items it had news of with its version', async () => {
    const env = await w.addEnvironment('flush-env');
    const [a, b] = [9101, 9102];
    const admit = (items: DataOf<'recommendation.created.v1'>[]) =>
      w.db.transaction().execute((tx) =>
        recommendationCreatedV1(opts)(
          items.map((d) => createdItem(d, env)),
          tx,
          log,
        ),
      );
    const flush = () =>
      w.db.transaction().execute(async (tx) => {
        const open = await tx
          .selectFrom('notification_groups')
          .select('id')
          .where('environment_id', '=', env)
          .executeTakeFirstOrThrow();
        const ctx = { now: new Date(), repeatIntervalMs: 3_600_000, rules: [], channels: [], silences: [], windows: [] };
        await flushGroup(tx, await lockGroup(tx, open.id), ctx);
      });
    const versions = async () =>
      (
        await w.db
          .selectFrom('notification_group_items')
          .select(['drift_event_id', 'notified_version'])
          .where('drift_event_id', 'in', [a, b])
          .orderBy('drift_event_id')
          .execute()
      ).map((r) => r.notified_version);

    await admit([recommendation({ driftEventId: a }), recommendation({ driftEventId: b })]);
    await flush();
    expect(await versions()).toEqual([1, 1]);
    await new Promise((r) => setTimeout(r, 5));
    await admit([recommendation({ driftEventId: b, priority: 'critical' })]);
    await flush();
    expect(await versions()).toEqual([1, 2]);
  });
});
