import { enqueue, PermanentError, roundsBy, type BatchEventHandler, type BatchItem, type HandlerMeta } from '@driftguard/bus';
import { asTruncatedValue, type DataOf, type RecommendationType } from '@driftguard/contracts';
import { fetchDriftChangeValue, writeAudits, type Database } from '@driftguard/db';
import type { Transaction } from 'kysely';
import type { PlanInput, ResolvedChange } from '../codegen/plan-input.js';
import { declaredStates, declaringFiles, liveBody, storedDrift } from '../declared-state.queries.js';
import { sourceKeyOf } from '../codegen/source-key.js';
import { driftViewOf, type DriftView } from '../drift-view.js';
import { decisionFor, recommend } from '../recommendation/recommend.js';
import { recommendationCreated, remediationRequested } from '../recommendation/recommendation.events.js';
import type { PolicyCache } from '../policy/policy-cache.js';
import {
  closeOpenOf,
  insertRecommendations,
  lockDriftsAndRead,
  newestRecommendations,
  setSupersededBy,
} from '../recommendations.queries.js';

export interface DriftAnalyzedDeps {
  subjectRoot: string;
  policies: PolicyCache;
  /** the clock; tests and benchmarks pass their own */
  now?: () => Date;
}

/** Who makes recommendations (recommendations.recommended_by). */
export const RECOMMENDED_BY = 'policy_engine';

/** The changes with claim-checked values fetched (read-only); a value no longer stored is named, never guessed. */
async function resolveChanges(tx: Transaction<Database>, view: DriftView): Promise<ResolvedChange[]> {
  const out: ResolvedChange[] = [];
  for (const c of view.changes) {
    const change: ResolvedChange = {
      path: c.path,
      changeType: c.changeType,
      sensitive: c.sensitive,
      securityRuleIds: c.securityRuleIds,
      ...(c.declared !== undefined ? { declared: c.declared } : {}),
      ...(c.actual !== undefined ? { actual: c.actual } : {}),
    };
    for (const side of c.truncated ?? []) {
      const t = asTruncatedValue(c[side]);
      if (!t) continue;
      const fetched = await fetchDriftChangeValue(tx, t.ref);
      if (fetched.found) change[side] = fetched.value;
      else {
        delete change[side];
        change.unresolved = [...(change.unresolved ?? []), side];
      }
    }
    out.push(change);
  }
  return out;
}

/**
 * Whether the steps of this recommendation use the declared configuration: Kubernetes manifests
 * always (revert applies them, Argo CD tracking is read from them), Terraform to codify a
 * modification; CloudFormation patches address the template by logical id.
 */
function needsDeclared(view: DriftView, type: RecommendationType): boolean {
  if (view.driftType === 'added') return false;
  switch (view.iacTool) {
    case 'kubernetes':
      return true;
    case 'terraform':
      return view.driftType === 'modified' && type !== 'auto_revert' && type !== 'accept_exception';
    case 'cloudformation':
      return false;
    default: {
      const never: never = view.iacTool;
      throw new Error(`unknown IaC tool ${String(never)}`);
    }
  }
}

/** Whether the steps codify a modification into the code, and so diff the declaring file when it is synced. */
const codifiesModification = (view: DriftView, type: RecommendationType) =>
  view.driftType === 'modified' && (type === 'codify_iac' || type === 'manual_review' || type === 'escalate_review');

/** What one drift's plan is built for: its view, environment, declared resource and the recommendation type decided. */
interface PlanQuery {
  view: DriftView;
  envId: number;
  iacResourceId: number | null;
  type: RecommendationType;
}

/**
 * The plan inputs of the drifts: the declared configuration and declaring file each needs are
 * read in one statement apiece for all of them; claim-checked values and live bodies (rare) one
 * by one.
 */
async function planInputs(tx: Transaction<Database>, queries: readonly PlanQuery[]): Promise<PlanInput[]> {
  const declaredFor = queries.flatMap((q, i) => (needsDeclared(q.view, q.type) ? [i] : []));
  const declared = await declaredStates(
    tx,
    declaredFor.map((i) => {
      const q = queries[i]!;
      return { iacResourceId: q.iacResourceId, envId: q.envId, address: q.view.resource.address };
    }),
  );
  const declaredOf = new Map(declaredFor.map((q, n) => [q, declared[n] ?? null]));
  const keys = queries.map((q) =>
    codifiesModification(q.view, q.type) ? sourceKeyOf(q.view.iacTool, q.view.resource.address) : null,
  );
  const sourceFor = keys.flatMap((k, i) => (k === null ? [] : [i]));
  const files = await declaringFiles(
    tx,
    sourceFor.map((i) => ({ iacResourceId: queries[i]!.iacResourceId, envId: queries[i]!.envId, key: keys[i]! })),
  );
  const fileOf = new Map(sourceFor.map((q, n) => [q, files[n] ?? null]));
  const plans: PlanInput[] = [];
  for (const [i, { view }] of queries.entries()) {
    const found = fileOf.get(i) ?? null;
    const source = found === null ? {} : 'file' in found ? { source: found.file } : { sourceCandidates: found.ambiguous };
    plans.push({
      ...source,
      tool: view.iacTool,
      driftType: view.driftType,
      resource: view.resource,
      changes: await resolveChanges(tx, view),
      omittedChanges: view.changesTruncated ? Math.max(0, view.changesTruncated.total - view.changesTruncated.included) : 0,
      declared: declaredOf.get(i) ?? null,
      live: view.driftType === 'added' ? await liveBody(tx, view.driftEventId) : null,
      ...(view.previousAddress ? { previousAddress: view.previousAddress } : {}),
    });
  }
  return plans;
}

/**
 * `dg.drift.analyzed.v1.<org>.<env>`: the policy's recommendation for each drift, with its steps
 * and generated code, stored and published (recommendation.created; remediation.requested for
 * an auto_revert the policy lets run unattended) in the messages' transaction, set-based: a
 * batch of drifts costs a few statements. A newer analysis supersedes the open recommendation;
 * an analysis not newer than the last one changes nothing; a drift already resolved gets its
 * recommendation recorded as expired and nothing published. A drift that does not exist where
 * its event says fails the batch; alone, it is dead-lettered.
 */
export function driftAnalyzedV1(deps: DriftAnalyzedDeps): BatchEventHandler<'drift.analyzed.v1', Database> {
  const now = deps.now ?? (() => new Date());
  return async (items, tx, log) => {
    // A drift analysed twice in one batch is recommended for a second time against the first.
    for (const round of roundsBy(items, (i) => i.event.data.driftEventId)) await recommendRound(tx, deps, now, round, log);
  };
}

async function recommendRound(
  tx: Transaction<Database>,
  deps: DriftAnalyzedDeps,
  now: () => Date,
  items: readonly BatchItem<'drift.analyzed.v1', Database>[],
  log: HandlerMeta<Database>['log'],
): Promise<void> {
  const ids = items.map((i) => i.event.data.driftEventId);
  const drifts = await lockDriftsAndRead(tx, ids);
  const newest = await newestRecommendations(tx, ids);
  const decided = [];
  for (const { event, meta } of items) {
    const data: DataOf<'drift.analyzed.v1'> = event.data;
    const driftEventId = data.driftEventId;
    const drift = drifts.get(driftEventId);
    if (!drift || drift.environment_id !== event.envId)
      throw new PermanentError(
        `drift ${driftEventId} does not exist in environment ${event.envId} of organization ${event.orgId}`,
      );
    const analysisVersion = data.analysisVersion ?? 1;
    const last = newest.get(driftEventId);
    if (last && last.analysis_version >= analysisVersion) {
      meta.log.info(
        { driftEventId, analysisVersion, newest: last.analysis_version },
        'analysis not newer than the last recommendation; nothing to do',
      );
      continue;
    }
    const view = driftViewOf(data, data.drift ? null : await storedDrift(tx, driftEventId));
    if (!view) throw new PermanentError(`drift ${driftEventId} carries no summary and its stored record cannot be read`);
    const layers = await deps.policies.layers(tx, event.orgId, event.envId, meta.log);
    const type = decisionFor(data, view, layers).outcome.recommendationType;
    decided.push({
      event,
      data,
      driftEventId,
      analysisVersion,
      view,
      layers,
      type,
      resolved: drift.resolved_at !== null,
      iacResourceId: drift.iac_resource_id,
    });
  }
  if (decided.length === 0) return;

  const plans = await planInputs(
    tx,
    decided.map((d) => ({ view: d.view, envId: d.event.envId, iacResourceId: d.iacResourceId, type: d.type })),
  );
  const made = decided.map((d, i) => ({ ...d, rec: recommend(d.data, d.view, plans[i]!, d.layers, now()) }));
  // A resolved drift keeps no open recommendation: one left from an earlier analysis expires too.
  const closed = await closeOpenOf(
    tx,
    made.map((m) => ({ driftEventId: m.driftEventId, status: m.resolved ? ('expired' as const) : ('superseded' as const) })),
  );
  const stored = await insertRecommendations(
    tx,
    made.map((m) => ({
      ...m.rec,
      driftEventId: m.driftEventId,
      analysisVersion: m.analysisVersion,
      status: m.resolved ? ('expired' as const) : ('open' as const),
      recommendedBy: RECOMMENDED_BY,
    })),
  );
  const results = made.map((m) => {
    const row = stored.get(m.driftEventId);
    if (!row) throw new Error(`the recommendation of drift ${m.driftEventId} was not stored`);
    const earlier = closed.get(m.driftEventId);
    return { ...m, id: row.id, superseded: m.resolved ? undefined : earlier, expired: m.resolved ? earlier : undefined };
  });
  await setSupersededBy(
    tx,
    results.flatMap((r) => (r.superseded === undefined ? [] : [{ id: r.superseded, by: r.id }])),
  );
  await writeAudits(
    tx,
    results.map((r) => ({
      organizationId: r.event.orgId,
      action: r.resolved ? 'recommendation.expired' : 'recommendation.created',
      resourceType: 'recommendation',
      resourceId: r.id,
      newValues: {
        driftEventId: r.driftEventId,
        analysisVersion: r.analysisVersion,
        recommendationType: r.rec.recommendationType,
        priority: r.rec.priority,
        policy: r.rec.policy,
        ...(r.superseded !== undefined ? { supersedes: r.superseded } : {}),
        ...(r.expired !== undefined ? { expiredAlso: r.expired } : {}),
      },
    })),
  );
  const opts = { subjectRoot: deps.subjectRoot };
  for (const { event, data, view, rec, id, superseded, resolved } of results) {
    // A drift resolved before its analysis: its recommendation is recorded as expired, nothing published.
    if (resolved) continue;
    const created = recommendationCreated({ data, view, rec, id, supersedes: superseded, recommendedBy: RECOMMENDED_BY });
    await enqueue(tx, 'recommendation.created.v1', event.orgId, event.envId, created, opts);
    if (rec.unattended)
      await enqueue(tx, 'remediation.requested.v1', event.orgId, event.envId, remediationRequested(view, rec, id, now()), opts);
  }
  log.info(
    {
      recommendations: results.map((r) => ({
        driftEventId: r.driftEventId,
        recommendationId: r.id,
        type: r.rec.recommendationType,
        rule: r.rec.policy.rule,
        ...(r.superseded !== undefined ? { supersedes: r.superseded } : {}),
        ...(r.resolved ? { expired: 'drift resolved before its analysis' } : {}),
      })),
    },
    'recommendations created',
  );
}
