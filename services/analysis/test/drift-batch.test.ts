import { PermanentError, type BatchItem } from '@driftguard/bus';
import { DriftAnalyzedV1, type DataOf } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { createLogger } from '@driftguard/runtime';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveCauseModel } from '../src/cause/active-cause-model.js';
import { storeContextSignal } from '../src/context/context-signals.queries.js';
import { driftDetectedV1 } from '../src/handlers/drift.detected.v1.js';
import { startAnalysis, type AnalysisHarness } from './analysis.harness.js';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
const ALICE = 'arn:aws:sts::123456789012:assumed-role/oncall-sre/alice';
const BOB = 'arn:aws:sts::123456789012:assumed-role/platform/bob';

let h: AnalysisHarness;
beforeAll(async () => {
  h = await startAnalysis('analysis-batch');
});
afterAll(async () => h?.stop());

const log = createLogger({ level: 'silent', name: 'batch-test' });

function item(data: DataOf<'drift.detected.v1'>, envId = h.envId): BatchItem<'drift.detected.v1', Database> {
  const event = { id: uuidv7(), type: 'drift.detected', occurredAt: new Date().toISOString(), orgId: h.orgId, envId, data };
  return { event, meta: { subject: 'test', deliveryCount: 1, streamSeq: 1, log, headers: {} } };
}

function resized(driftEventId: number, physicalId: string, observedAt: string, actual: string): DataOf<'drift.detected.v1'> {
  return {
    driftEventId,
    driftType: 'modified',
    fingerprint: `fp-${physicalId}`,
    resource: { type: 'aws_instance', address: `aws_instance.${physicalId}`, physicalId },
    iacResourceId: null,
    changes: [
      { path: '/instance_type', declared: 'm5.large', actual, changeType: 'modified', sensitive: false, securityRuleIds: [] },
    ],
    isSecurityCritical: false,
    detectedAt: new Date().toISOString(),
    observedAt,
  };
}

async function auditEvent(externalId: string, actor: string, instanceId: string, at: string) {
  await storeContextSignal(
    h.db,
    { orgId: h.orgId, envId: h.envId },
    {
      kind: 'audit_event',
      externalSystem: 'cloudtrail',
      externalId,
      occurredAt: at,
      actor,
      resourceRefs: [],
      summary: 'ec2.amazonaws.com ModifyInstanceAttribute',
      data: {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'ModifyInstanceAttribute',
        userAgent: 'aws-cli/2.15.0 Python/3.11.6',
        userIdentity: { type: 'AssumedRole', arn: actor },
        requestParameters: { instanceId },
      },
    },
  );
}

async function newDrift(resourceKey: string) {
  const row = await h.db
    .insertInto('drift_events')
    .values({ environment_id: h.envId, drift_type: 'modified', resource_key: resourceKey })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('drift.detected handled as a batch', () => {
  it('gives each drift the signals of its own window and resource, and a drift named twice two versions', async () => {
    const [a, b] = ['i-0aaaa00000000000a', 'i-0bbbb00000000000b'];
    await auditEvent('ct-a', ALICE, a, hoursAgo(1));
    await auditEvent('ct-b', BOB, b, hoursAgo(6));
    await storeContextSignal(
      h.db,
      { orgId: h.orgId, envId: h.envId },
      {
        kind: 'incident',
        externalSystem: 'pagerduty',
        externalId: 'Q1BATCH',
        occurredAt: hoursAgo(2),
        resourceRefs: ['checkout-api'],
        summary: 'Checkout down',
        data: { incidentId: 'Q1BATCH', status: 'triggered', priority: 'P1', title: 'Checkout down' },
      },
    );
    const driftA = await newDrift(`aws_instance.${a}`);
    const driftB = await newDrift(`aws_instance.${b}`);
    const handle = driftDetectedV1({ subjectRoot: h.subjectRoot, model: createActiveCauseModel(), lookBackMs: 24 * 3600_000 });

    // B was observed 5 h ago: the incident (2 h ago) is after its window, Alice's call names another instance.
    await h.db
      .transaction()
      .execute((tx) =>
        handle(
          [
            item(resized(driftA, a, hoursAgo(0.5), 'm5.xlarge')),
            item(resized(driftB, b, hoursAgo(5), 'm5.2xlarge')),
            item(resized(driftA, a, hoursAgo(0.25), 'm5.4xlarge')),
          ],
          tx,
          log,
        ),
      );

    const correlated = await h.db
      .selectFrom('correlation_events')
      .select(['drift_event_id', 'external_id'])
      .where('drift_event_id', 'in', [driftA, driftB])
      .execute();
    const of = (id: number) =>
      correlated
        .filter((c) => c.drift_event_id === id)
        .map((c) => c.external_id)
        .sort();
    expect(of(driftA)).toEqual(['Q1BATCH', 'ct-a']);
    expect(of(driftB)).toEqual(['ct-b']);

    const causes = await h.db
      .selectFrom('drift_cause_analysis')
      .select(['drift_event_id', 'analysis_version', 'user_attribution'])
      .where('drift_event_id', 'in', [driftA, driftB])
      .orderBy('drift_event_id')
      .execute();
    expect(causes).toMatchObject([
      { drift_event_id: driftA, analysis_version: 2, user_attribution: expect.objectContaining({ principal: ALICE }) },
      { drift_event_id: driftB, analysis_version: 1, user_attribution: expect.objectContaining({ principal: BOB }) },
    ]);
    const predictions = await h.db
      .selectFrom('ml_predictions')
      .select('drift_event_id')
      .where('drift_event_id', 'in', [driftA, driftB])
      .execute();
    expect(predictions.filter((p) => p.drift_event_id === driftA)).toHaveLength(2);
    expect(predictions.filter((p) => p.drift_event_id === driftB)).toHaveLength(1);

    const scored = await h.db
      .selectFrom('drift_events')
      .select(['id', 'severity_score', 'risk_assessment'])
      .where('id', 'in', [driftA, driftB])
      .execute();
    for (const row of scored) {
      expect(Number(row.severity_score)).toBeGreaterThan(0);
      expect(row.risk_assessment).toHaveProperty('security');
    }

    const outbox = await h.db.selectFrom('outbox').select('payload').where('event_type', '=', 'drift.analyzed.v1').execute();
    const versions = outbox
      .map((o) => DriftAnalyzedV1.parse(o.payload).data)
      .filter((d) => [driftA, driftB].includes(d.driftEventId))
      .map((d) => [d.driftEventId, d.analysisVersion, d.drift?.changes?.[0]?.actual])
      .sort();
    expect(versions).toEqual(
      [
        [driftA, 1, 'm5.xlarge'],
        [driftA, 2, 'm5.4xlarge'],
        [driftB, 1, 'm5.2xlarge'],
      ].sort(),
    );
  });

  it('refuses the whole batch, writing nothing, when one drift is not where its event says', async () => {
    const drift = await newDrift('aws_instance.i-0ccc');
    const handle = driftDetectedV1({ subjectRoot: h.subjectRoot, model: createActiveCauseModel(), lookBackMs: 24 * 3600_000 });
    const run = h.db
      .transaction()
      .execute((tx) =>
        handle(
          [
            item(resized(drift, 'i-0ccc00000000000c', hoursAgo(1), 'm5.xlarge')),
            item(resized(drift + 1000, 'i-0ddd00000000000d', hoursAgo(1), 'm5.xlarge')),
          ],
          tx,
          log,
        ),
      );
    await expect(run).rejects.toThrow(PermanentError);
    await expect(run).rejects.toThrow(`drift ${drift + 1000} does not exist`);
    const written = await h.db.selectFrom('drift_cause_analysis').select('id').where('drift_event_id', '=', drift).execute();
    expect(written).toEqual([]);
  });
});
