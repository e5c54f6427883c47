import { durableName, streamName } from '@driftguard/bus';
import { RecommendationCreatedV1, RemediationRequestedV1, type DataOf } from '@driftguard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recommendationAdoption } from '../src/recommendations.queries.js';
import { parseHcl } from './code-parsers.js';
import { startRecommender, waitUntil, type RecommenderHarness } from './recommender.harness.js';
import { analyzed, change, incident, ONCALL, type ScenarioInput } from './scenario.builders.js';

let h: RecommenderHarness;
beforeAll(async () => {
  h = await startRecommender('recommender_lifecycle');
});
afterAll(async () => h?.stop());

const instance = { type: 'aws_instance', address: 'aws_instance.checkout', name: 'checkout', physicalId: 'i-0abc' };
const emergencyFix = (driftEventId: number, extra: Partial<ScenarioInput> = {}) =>
  analyzed({
    driftEventId,
    resource: instance,
    changes: [change('/tags/Owner', 'payments', 'checkout-team')],
    cause: 'emergency_fix',
    correlated: [incident('resolved')],
    ...extra,
  });

const recommendationsOf = (driftEventId: number) =>
  h.db.selectFrom('recommendations').selectAll().where('drift_event_id', '=', driftEventId).orderBy('id').execute();

async function createdEvents(driftEventId: number) {
  const all = await h.messagesOn('RECOMMENDATION', 'recommendation.created.v1');
  return all.map((m) => RecommendationCreatedV1.parse(m)).filter((e) => e.data.driftEventId === driftEventId);
}

/** Waits until the recommender's consumer of `key` has acked everything it was given. */
async function drained(key: 'drift.analyzed.v1' | 'drift.resolved.v1' | 'cmd.recommendation.respond.v1') {
  const stream = streamName({ streamPrefix: h.streamPrefix }, key.startsWith('cmd') ? 'CMD' : 'DRIFT');
  await waitUntil(async () => {
    const info = await h.bus.jsm.consumers.info(stream, durableName('recommender', key)).catch(() => undefined);
    return info !== undefined && info.num_pending === 0 && info.num_ack_pending === 0;
  });
}

async function declare(address: string, declaredState: object): Promise<number> {
  const repo = await h.db
    .insertInto('iac_repositories')
    .values({ environment_id: h.envId, name: `infra-${address}`, tool: 'terraform' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const res = await h.db
    .insertInto('iac_resources')
    .values({
      iac_repository_id: repo.id,
      resource_type: 'aws_instance',
      resource_id: address,
      declared_state: JSON.stringify(declaredState),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return res.id;
}

describe('recommendation lifecycle', () => {
  it('recommends on drift.analyzed and publishes everything the notifier needs, code generated from the declared state', async () => {
    const iacResourceId = await declare('aws_instance.checkout', {
      instance_type: 'm5.large',
      tags: { Name: 'checkout', Owner: 'payments' },
    });
    const driftId = await h.openDrift();
    await h.db.updateTable('drift_events').set({ iac_resource_id: iacResourceId }).where('id', '=', driftId).execute();
    await h.publish('drift.analyzed.v1', emergencyFix(driftId));

    const [row] = await waitUntil(async () => {
      const rows = await recommendationsOf(driftId);
      return rows.length > 0 && rows;
    });
    expect(row).toMatchObject({
      recommendation_type: 'codify_iac',
      priority: 'high',
      status: 'open',
      analysis_version: 1,
      policy_source: 'default',
      policy_version: 0,
      policy_rule: 'emergency-fix-codify',
      recommended_by: 'policy_engine',
      estimated_effort: 'hours',
    });
    expect(row?.rationale).toContain(ONCALL);
    const [event] = await waitUntil(async () => {
      const events = await createdEvents(driftId);
      return events.length > 0 && events;
    });
    expect(event?.data).toMatchObject({
      recommendationId: row?.id,
      recommendationType: 'codify_iac',
      drift: { resource: instance, changedPaths: ['/tags/Owner'] },
      analysis: {
        cause: { category: 'emergency_fix' },
        attribution: { principal: ONCALL },
        correlated: [expect.objectContaining({ sourceId: 'Q1INC0042' })],
      },
      policy: { source: 'default', version: 0, rule: 'emergency-fix-codify' },
    });
    const hcl = event?.data.steps?.find((s) => s.patch?.format === 'hcl')?.patch?.content ?? '';
    // The whole live map, from the stored declaration plus the drift's change.
    expect(await parseHcl(hcl)).toEqual({
      resource: { aws_instance: { checkout: [{ tags: { Name: 'checkout', Owner: 'checkout-team' } }] } },
    });
    expect(row?.implementation_steps).toEqual(event?.data.steps);
    // Stored in the data model's words, published in the contract's.
    const risk = event?.data.riskAssessment;
    expect(row?.risk_assessment).toEqual({
      success_probability: risk?.successProbability,
      potential_impacts: risk?.potentialImpacts,
      blast_radius: risk?.blastRadius,
    });
    const audit = await h.db
      .selectFrom('audit_log')
      .select('action')
      .where('resource_id', '=', row?.id ?? 0)
      .where('resource_type', '=', 'recommendation')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['recommendation.created']);
  });

  it('changes nothing when the analysis is delivered again, under the same or a new envelope id', async () => {
    const driftId = await h.openDrift();
    const data = emergencyFix(driftId);
    const id = await h.publish('drift.analyzed.v1', data);
    await waitUntil(async () => (await recommendationsOf(driftId)).length === 1);
    await h.publish('drift.analyzed.v1', data, { id, msgId: `${id}-again` });
    await h.publish('drift.analyzed.v1', data);
    await drained('drift.analyzed.v1');
    expect(await recommendationsOf(driftId)).toHaveLength(1);
    expect(await createdEvents(driftId)).toHaveLength(1);
  });

  it('supersedes the open recommendation when a newer analysis arrives, and ignores an older one arriving late', async () => {
    const driftId = await h.openDrift();
    await h.publish('drift.analyzed.v1', emergencyFix(driftId));
    const [first] = await waitUntil(async () => {
      const rows = await recommendationsOf(driftId);
      return rows.length === 1 && rows;
    });
    await h.publish('drift.analyzed.v1', emergencyFix(driftId, { analysisVersion: 3, correlated: [incident('open')] }));
    const rows = await waitUntil(async () => {
      const r = await recommendationsOf(driftId);
      return r.length === 2 && r;
    });
    expect(rows.map((r) => [r.status, r.analysis_version, r.recommendation_type])).toEqual([
      ['superseded', 1, 'codify_iac'],
      ['open', 3, 'manual_review'],
    ]);
    expect(rows[0]?.superseded_by).toBe(rows[1]?.id);
    // The database itself refuses a second open recommendation of the drift.
    await expect(
      h.db
        .insertInto('recommendations')
        .values({
          drift_event_id: driftId,
          recommendation_type: 'manual_review',
          priority: 'low',
          confidence_score: '0.50',
          rationale: 'x',
          recommended_by: 'test',
          analysis_version: 9,
        })
        .execute(),
    ).rejects.toThrow(/recommendations_one_open_per_drift/);
    const events = await waitUntil(async () => {
      const e = await createdEvents(driftId);
      return e.length === 2 && e;
    });
    expect(events[1]?.data).toMatchObject({ supersedes: first?.id, analysis: { analysisVersion: 3 } });

    await h.publish('drift.analyzed.v1', emergencyFix(driftId, { analysisVersion: 2 }));
    await drained('drift.analyzed.v1');
    expect(await recommendationsOf(driftId)).toHaveLength(2);
  });

  it('expires the open recommendation when the drift is resolved', async () => {
    const driftId = await h.openDrift();
    await h.publish('drift.analyzed.v1', emergencyFix(driftId));
    await waitUntil(async () => (await recommendationsOf(driftId)).length === 1);
    await h.publish('drift.resolved.v1', {
      driftEventId: driftId,
      resolvedAt: new Date().toISOString(),
      resolutionType: null,
      resolvedBy: 'scan',
    });
    const [row] = await waitUntil(async () => {
      const r = await recommendationsOf(driftId);
      return r[0]?.status === 'expired' && r;
    });
    expect(row?.status_changed_at).toBeInstanceOf(Date);
  });

  it('leaves no open recommendation for a drift resolved before it was analysed, and publishes none', async () => {
    const driftId = await h.openDrift();
    await h.db.updateTable('drift_events').set({ resolved_at: new Date() }).where('id', '=', driftId).execute();
    await h.publish('drift.resolved.v1', {
      driftEventId: driftId,
      resolvedAt: new Date().toISOString(),
      resolutionType: null,
      resolvedBy: 'scan',
    });
    await drained('drift.resolved.v1');
    await h.publish('drift.analyzed.v1', emergencyFix(driftId));
    const [row] = await waitUntil(async () => {
      const r = await recommendationsOf(driftId);
      return r.length === 1 && r;
    });
    expect(row?.status).toBe('expired');
    await drained('drift.analyzed.v1');
    expect(await createdEvents(driftId)).toEqual([]);
  });

  it('publishes remediation.requested for an auto_revert the policy lets run unattended', async () => {
    const driftId = await h.openDrift();
    const sg = { type: 'aws_security_group', address: 'aws_security_group.db', name: 'db', physicalId: 'sg-0123' };
    await h.publish(
      'drift.analyzed.v1',
      analyzed({
        driftEventId: driftId,
        resource: sg,
        changes: [change('/ingress/0/cidr_blocks/0', '10.0.0.0/8', '0.0.0.0/0', { securityRuleIds: ['sg-open-to-world'] })],
      }),
    );
    const [request] = await waitUntil(async () => {
      const all = (await h.messagesOn('REMEDIATION', 'remediation.requested.v1')).map((m) => RemediationRequestedV1.parse(m));
      const mine = all.filter((e) => e.data.driftEventId === driftId);
      return mine.length > 0 && mine;
    });
    expect(request?.data).toMatchObject({ tool: 'terraform', resource: sg });
    expect(request?.data.steps.map((s) => s.command)).toEqual([
      "terraform plan -refresh-only -target='aws_security_group.db'",
      "terraform apply -target='aws_security_group.db'",
    ]);
    const [row] = await recommendationsOf(driftId);
    expect(row).toMatchObject({ recommendation_type: 'auto_revert', priority: 'critical', id: request?.data.recommendationId });
  });

  it("decides by the environment's override, recording its version", async () => {
    // As the api's setRecommendationPolicy stores it (tested with `dg policy`).
    const document = {
      rules: [
        {
          id: 'shop-escalates-security',
          when: { securityCritical: true },
          then: { recommendationType: 'escalate_review', priority: 'critical', estimatedEffort: 'hours', expiresIn: '12h' },
        },
      ],
    };
    await h.db
      .insertInto('recommendation_policies')
      .values({ organization_id: h.orgId, environment_id: h.envId, version: 1, document: JSON.stringify(document) })
      .execute();
    const driftId = await h.openDrift();
    await h.publish(
      'drift.analyzed.v1',
      analyzed({
        driftEventId: driftId,
        resource: { type: 'aws_security_group', address: 'aws_security_group.web', name: 'web' },
        changes: [change('/ingress/0/cidr_blocks/0', '10.0.0.0/8', '0.0.0.0/0', { securityRuleIds: ['sg-open-to-world'] })],
      }),
    );
    const [row] = await waitUntil(async () => {
      const r = await recommendationsOf(driftId);
      return r.length === 1 && r;
    });
    expect(row).toMatchObject({
      recommendation_type: 'escalate_review',
      policy_source: 'environment',
      policy_version: 1,
      policy_rule: 'shop-escalates-security',
    });
    await h.db.deleteFrom('recommendation_policies').execute();
  });

  it('records accept, reject with a reason and implemented with its result, and they feed the adoption rate', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const driftId = await h.openDrift();
      await h.publish('drift.analyzed.v1', emergencyFix(driftId));
      const [row] = await waitUntil(async () => {
        const r = await recommendationsOf(driftId);
        return r.length === 1 && r;
      });
      ids.push(row?.id ?? 0);
    }
    const [a = 0, b = 0, c = 0] = ids;
    const accept: DataOf<'cmd.recommendation.respond.v1'> = {
      action: 'accept',
      recommendationId: a,
      actor: 'alice',
      note: 'will merge the HCL today',
    };
    const answers: DataOf<'cmd.recommendation.respond.v1'>[] = [
      accept,
      { action: 'reject', recommendationId: b, actor: 'bob', reason: 'the owner tag is changing again next week' },
      {
        action: 'implemented',
        recommendationId: c,
        actor: 'executor-1',
        result: { success: true, details: 'PR merged', ref: 'infra#412' },
      },
    ];
    for (const answer of answers) await h.publish('cmd.recommendation.respond.v1', answer);
    // the same answer again, as a new command: nothing changes
    await h.publish('cmd.recommendation.respond.v1', accept);
    await drained('cmd.recommendation.respond.v1');
    const rows = await h.db.selectFrom('recommendations').selectAll().where('id', 'in', ids).orderBy('id').execute();
    expect(rows.map((r) => [r.status, r.decided_by, r.decision_reason])).toEqual([
      ['accepted', 'alice', 'will merge the HCL today'],
      ['rejected', 'bob', 'the owner tag is changing again next week'],
      ['implemented', 'executor-1', null],
    ]);
    expect(rows[2]).toMatchObject({
      implementation_result: { success: true, details: 'PR merged', ref: 'infra#412', reportedBy: 'executor-1' },
    });
    expect(rows[2]?.implemented_at).toBeInstanceOf(Date);
    const today = new Date().toISOString().slice(0, 10);
    expect(await recommendationAdoption(h.db, h.envId, today)).toEqual({ decided: 3, adopted: 2, rate: 0.6667 });
    expect(await recommendationAdoption(h.db, h.envId, '2020-01-01')).toEqual({ decided: 0, adopted: 0, rate: null });
  });

  it('refuses to accept a superseded recommendation: the command is dead-lettered, nothing changes', async () => {
    const driftId = await h.openDrift();
    await h.publish('drift.analyzed.v1', emergencyFix(driftId));
    await waitUntil(async () => (await recommendationsOf(driftId)).length === 1);
    await h.publish('drift.analyzed.v1', emergencyFix(driftId, { analysisVersion: 2 }));
    const rows = await waitUntil(async () => {
      const r = await recommendationsOf(driftId);
      return r.length === 2 && r;
    });
    const old = rows[0]?.id ?? 0;
    await h.publish('cmd.recommendation.respond.v1', { action: 'accept', recommendationId: old, actor: 'carol' });
    const dead = await waitUntil(async () => {
      const d = await h.db
        .selectFrom('dead_letters')
        .select(['error', 'subject'])
        .where('consumer', '=', durableName('recommender', 'cmd.recommendation.respond.v1'))
        .execute();
      return d.length > 0 && d;
    });
    expect(dead[0]?.error).toContain(`recommendation ${old} is superseded: it cannot be accepted`);
    expect((await recommendationsOf(driftId))[0]).toMatchObject({ status: 'superseded', decided_by: null });
  });

  it('recommends for an analysis that carries no drift summary, from the stored drift', async () => {
    const driftId = await h.openDrift();
    await h.db
      .updateTable('drift_events')
      .set({ metadata: JSON.stringify({ resource: instance }) })
      .where('id', '=', driftId)
      .execute();
    await h.db
      .insertInto('drift_changes')
      .values({
        drift_event_id: driftId,
        property_path: '/instance_type',
        declared_value: JSON.stringify('m5.large'),
        actual_value: JSON.stringify('m5.xlarge'),
        change_type: 'modified',
      })
      .execute();
    const full = emergencyFix(driftId);
    const {
      drift: _d,
      attribution: _a,
      correlated: _c,
      temporal: _t,
      analysisVersion: _v,
      causeDetail: _cd,
      logicVersion: _l,
      ...minimal
    } = full;
    await h.publish('drift.analyzed.v1', { ...minimal, cause: { category: 'configuration_error', confidence: 0.8 } });
    const [event] = await waitUntil(async () => {
      const e = await createdEvents(driftId);
      return e.length > 0 && e;
    });
    expect(event?.data).toMatchObject({
      recommendationType: 'auto_revert',
      drift: { driftType: 'modified', resource: instance, changedPaths: ['/instance_type'], iacTool: 'terraform' },
    });
    expect(event?.data.rationale).toContain('No audit record names who made the change');
  });

  it('fetches a value too large for the event from the stored change (read-only) and writes it into the code', async () => {
    const driftId = await h.openDrift();
    const script = `#!/bin/sh\n${'echo warming caches\n'.repeat(400)}`;
    await h.db
      .insertInto('drift_changes')
      .values({
        drift_event_id: driftId,
        property_path: '/user_data',
        declared_value: JSON.stringify('#!/bin/sh'),
        actual_value: JSON.stringify(script),
        change_type: 'modified',
      })
      .execute();
    const truncated = {
      truncated: true as const,
      preview: script.slice(0, 100),
      bytes: script.length,
      sha256: 'a'.repeat(64),
      ref: { driftEventId: driftId, propertyPath: '/user_data', side: 'actual' as const },
    };
    const data = analyzed({
      driftEventId: driftId,
      resource: instance,
      changes: [change('/user_data', '#!/bin/sh', truncated, { truncated: ['actual'] })],
      cause: 'emergency_fix',
      correlated: [incident('resolved')],
    });
    await h.publish('drift.analyzed.v1', data);
    const [row] = await waitUntil(async () => {
      const r = await recommendationsOf(driftId);
      return r.length === 1 && r;
    });
    const steps = RecommendationCreatedV1.shape.data.shape.steps.parse(row?.implementation_steps);
    const hcl = steps?.find((st) => st.patch?.format === 'hcl')?.patch?.content ?? '';
    expect(await parseHcl(hcl)).toEqual({ resource: { aws_instance: { checkout: [{ user_data: script }] } } });
  });
});
