import { durableName, streamName } from '@driftguard/bus';
import { DriftAnalyzedV1, subjectFor, type DataOf } from '@driftguard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCauseModel, trainCauseModel } from '../src/ml/index.js';
import { messagesOn, startAnalysis, waitUntil, type AnalysisHarness } from './analysis.harness.js';

const INSTANCE = 'i-0abc123def4567890';
const ROLE = 'arn:aws:sts::123456789012:assumed-role/oncall-sre/alice';
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();

let h: AnalysisHarness;
beforeAll(async () => {
  h = await startAnalysis('analysis-drift');
});
afterAll(async () => h?.stop());

async function openDrift(data: Omit<DataOf<'drift.detected.v1'>, 'driftEventId'>): Promise<DataOf<'drift.detected.v1'>> {
  const row = await h.db
    .insertInto('drift_events')
    .values({ environment_id: h.envId, drift_type: data.driftType, metadata: JSON.stringify({ resource: data.resource }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { driftEventId: row.id, ...data };
}

async function analyzedEvent(driftEventId: number) {
  const subject = subjectFor('drift.analyzed.v1', h.orgId, h.envId, h.subjectRoot);
  const msg = await waitUntil(async () => {
    const m = await h.bus.jsm.streams
      .getMessage(streamName({ streamPrefix: h.streamPrefix }, 'DRIFT'), { last_by_subj: subject })
      .catch(() => undefined);
    const event = m ? DriftAnalyzedV1.parse(m.json()) : undefined;
    return event?.data.driftEventId === driftEventId ? event : undefined;
  });
  return msg.data;
}

/** Waits until the drift.detected consumer has acked everything it was given. */
async function drained() {
  const stream = streamName({ streamPrefix: h.streamPrefix }, 'DRIFT');
  await waitUntil(async () => {
    const info = await h.bus.jsm.consumers.info(stream, durableName('analysis', 'drift.detected.v1'));
    return info.num_pending === 0 && info.num_ack_pending === 0;
  });
}

describe('drift analysis', () => {
  it('attributes a resize during a P1 incident to the on-call role as an emergency fix, with the incident linked', async () => {
    await h.publish('context.incident.v1', {
      kind: 'incident',
      externalSystem: 'pagerduty',
      externalId: 'Q1INC0042',
      occurredAt: hoursAgo(2),
      resourceRefs: ['checkout-api'],
      summary: 'Checkout latency above SLO',
      data: {
        incidentId: 'Q1INC0042',
        status: 'triggered',
        priority: 'P1',
        urgency: 'high',
        title: 'Checkout latency above SLO',
        url: 'https://acme.pagerduty.com/incidents/Q1INC0042',
      },
    });
    await h.publish('context.audit_event.v1', {
      kind: 'audit_event',
      externalSystem: 'cloudtrail',
      externalId: 'e0a1b2c3-0000-4000-8000-000000000001',
      occurredAt: hoursAgo(1),
      actor: ROLE,
      resourceRefs: [],
      summary: 'ec2.amazonaws.com ModifyInstanceAttribute',
      data: {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'ModifyInstanceAttribute',
        userAgent: 'AWS Internal',
        userIdentity: { type: 'AssumedRole', arn: ROLE },
        requestParameters: { instanceId: INSTANCE, instanceType: { value: 'm5.2xlarge' } },
      },
    });
    await waitUntil(async () => {
      const rows = await h.db.selectFrom('context_signals').select('id').where('organization_id', '=', h.orgId).execute();
      return rows.length === 2;
    });

    const drift = await openDrift({
      driftType: 'modified',
      fingerprint: 'fp-resize',
      resource: { type: 'aws_instance', address: 'aws_instance.checkout', physicalId: INSTANCE },
      iacResourceId: null,
      changes: [
        {
          path: '/instance_type',
          declared: 'm5.large',
          actual: 'm5.2xlarge',
          changeType: 'modified',
          sensitive: false,
          securityRuleIds: [],
        },
      ],
      isSecurityCritical: false,
      detectedAt: new Date().toISOString(),
      observedAt: hoursAgo(0.5),
    });
    await h.publish('drift.detected.v1', drift);

    const analyzed = await analyzedEvent(drift.driftEventId);
    expect(analyzed.cause.category).toBe('emergency_fix');
    expect(analyzed.causeDetail).toMatchObject({ method: 'rules', rule: 'person-during-severe-incident' });
    expect(analyzed.attribution).toMatchObject({ principal: ROLE, source: 'cloudtrail' });
    expect(analyzed.correlated).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'incident',
          sourceId: 'Q1INC0042',
          link: 'https://acme.pagerduty.com/incidents/Q1INC0042',
        }),
        expect.objectContaining({ kind: 'audit_event', match: 'resource' }),
      ]),
    );
    expect(analyzed.severityScore).toBeGreaterThanOrEqual(0);
    expect(analyzed.severityScore).toBeLessThanOrEqual(1);
    expect(analyzed.riskAssessment).toMatchObject({
      production: true,
      cost: { reasons: [expect.stringContaining('/instance_type')] },
    });
    expect(analyzed.analysisVersion).toBeDefined();

    const cause = await h.db
      .selectFrom('drift_cause_analysis')
      .selectAll()
      .where('drift_event_id', '=', drift.driftEventId)
      .execute();
    expect(cause).toHaveLength(1);
    expect(cause[0]).toMatchObject({
      cause_category: 'emergency_fix',
      user_attribution: expect.objectContaining({ principal: ROLE }),
    });
    const correlations = await h.db
      .selectFrom('correlation_events')
      .select(['external_system', 'external_id', 'correlation_score'])
      .where('drift_event_id', '=', drift.driftEventId)
      .execute();
    expect(correlations.map((c) => c.external_id).sort()).toEqual(['Q1INC0042', 'e0a1b2c3-0000-4000-8000-000000000001']);
    const context = await h.db
      .selectFrom('operational_context')
      .select('context_type')
      .where('drift_event_id', '=', drift.driftEventId)
      .execute();
    expect(context.map((c) => c.context_type)).toEqual(['incident']);
    const scores = await h.db
      .selectFrom('drift_events')
      .select(['severity_score', 'confidence_score', 'risk_assessment'])
      .where('id', '=', drift.driftEventId)
      .executeTakeFirstOrThrow();
    expect(Number(scores.severity_score)).toBe(analyzed.severityScore);
    expect(Number(scores.confidence_score)).toBe(analyzed.cause.confidence);
    expect(scores.risk_assessment).toMatchObject({ production: true });
    const predictions = await h.db
      .selectFrom('ml_predictions')
      .select('id')
      .where('drift_event_id', '=', drift.driftEventId)
      .execute();
    expect(predictions).toHaveLength(1);
  });

  it('says unknown, with low confidence, for a tag change nothing explains', async () => {
    const drift = await openDrift({
      driftType: 'modified',
      fingerprint: 'fp-tags',
      resource: { type: 'aws_s3_bucket', address: 'aws_s3_bucket.assets', physicalId: 'acme-assets-bucket' },
      iacResourceId: null,
      changes: [
        { path: '/tags/team', declared: 'web', actual: 'growth', changeType: 'modified', sensitive: false, securityRuleIds: [] },
      ],
      isSecurityCritical: false,
      detectedAt: new Date().toISOString(),
      // Before the incident of the first test opened: nothing correlates.
      observedAt: hoursAgo(30),
    });
    await h.publish('drift.detected.v1', drift);
    const analyzed = await analyzedEvent(drift.driftEventId);
    expect(analyzed.cause.category).toBe('unknown');
    expect(analyzed.cause.confidence).toBeLessThanOrEqual(0.35);
    expect(analyzed.correlated).toEqual([]);
    expect(analyzed.attribution).toBeNull();
  });

  it('analyzes a drift once however often drift.detected arrives', async () => {
    const drift = await openDrift({
      driftType: 'modified',
      fingerprint: 'fp-redelivered',
      resource: { type: 'aws_instance', address: 'aws_instance.batch', physicalId: 'i-0fedcba9876543210' },
      iacResourceId: null,
      changes: [
        { path: '/monitoring', declared: true, actual: false, changeType: 'modified', sensitive: false, securityRuleIds: [] },
      ],
      isSecurityCritical: false,
      detectedAt: new Date().toISOString(),
      observedAt: hoursAgo(40),
    });
    // The same drift under two envelopes at once (handled concurrently), then the first envelope
    // again past JetStream's duplicate window (a redelivery the consume ledger has seen).
    const [id] = await Promise.all([h.publish('drift.detected.v1', drift), h.publish('drift.detected.v1', drift)]);
    await analyzedEvent(drift.driftEventId);
    await h.publish('drift.detected.v1', drift, { id, msgId: `${id}:again` });
    await drained();

    const rows = await h.db
      .selectFrom('drift_cause_analysis')
      .select('id')
      .where('drift_event_id', '=', drift.driftEventId)
      .execute();
    expect(rows).toHaveLength(1);
    const predictions = await h.db
      .selectFrom('ml_predictions')
      .select('id')
      .where('drift_event_id', '=', drift.driftEventId)
      .execute();
    expect(predictions).toHaveLength(1);
    const outbox = await h.db.selectFrom('outbox').select('payload').where('event_type', '=', 'drift.analyzed.v1').execute();
    const forDrift = outbox.filter((o) => JSON.stringify(o.payload).includes(`"driftEventId":${drift.driftEventId}`));
    expect(forDrift).toHaveLength(1);
    expect(await messagesOn(h, subjectFor('drift.analyzed.v1', h.orgId, h.envId, h.subjectRoot))).toBe(3);
  });

  it('decides with the active model of the registry once one is activated, and records which', async () => {
    const trained = await trainCauseModel({
      seed: 11,
      samples: 120,
      folds: 2,
      evalSeed: 90210,
      evalSamples: 300,
      params: { rounds: 2, maxDepth: 2, eta: 0.3 },
    });
    const registered = await registerCauseModel(h.db, trained);
    expect(registered.activated).toBe(true);
    const drift = await openDrift({
      driftType: 'modified',
      fingerprint: 'fp-model',
      resource: { type: 'aws_instance', address: 'aws_instance.checkout', physicalId: INSTANCE },
      iacResourceId: null,
      changes: [
        {
          path: '/instance_type',
          declared: 'm5.large',
          actual: 'm5.4xlarge',
          changeType: 'modified',
          sensitive: false,
          securityRuleIds: [],
        },
      ],
      isSecurityCritical: false,
      detectedAt: new Date().toISOString(),
      observedAt: hoursAgo(0.5),
    });
    await h.publish('drift.detected.v1', drift);
    const analyzed = await analyzedEvent(drift.driftEventId);
    expect(analyzed.causeDetail).toMatchObject({ method: 'model', modelVersion: registered.version });
    const prediction = await h.db
      .selectFrom('ml_predictions')
      .select('ml_model_id')
      .where('drift_event_id', '=', drift.driftEventId)
      .executeTakeFirstOrThrow();
    expect(prediction.ml_model_id).toBe(registered.modelId);
  });
});
