import { enqueue, PermanentError, type EventHandler } from '@driftguard/bus';
import { asTruncatedValue, type DataOf, type JsonValue, type RecommendationType } from '@driftguard/contracts';
import { fetchDriftChangeValue, writeAudit, type Database } from '@driftguard/db';
import type { Transaction } from 'kysely';
import type { PlanInput, ResolvedChange } from '../codegen/plan-input.js';
import { declaredState, declaringFile, liveBody, storedDrift } from '../declared-state.queries.js';
import { sourceKeyOf } from '../codegen/source-key.js';
import { driftViewOf, type DriftView } from '../drift-view.js';
import { decisionFor, recommend } from '../recommendation/recommend.js';
import { recommendationCreated, remediationRequested } from '../recommendation/recommendation.events.js';
import type { PolicyCache } from '../policy/policy-cache.js';
import {
  closeOpen,
  insertRecommendation,
  lockDriftAndRead,
  newestRecommendation,
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

async function sourceOf(
  tx: Transaction<Database>,
  view: DriftView,
  q: { envId: number; iacResourceId: number | null; type: RecommendationType },
): Promise<Pick<PlanInput, 'source' | 'sourceCandidates'>> {
  const key = codifiesModification(view, q.type) ? sourceKeyOf(view.iacTool, view.resource.address) : null;
  if (key === null) return {};
  const found = await declaringFile(tx, { iacResourceId: q.iacResourceId, envId: q.envId, key });
  if (found === null) return {};
  return 'file' in found ? { source: found.file } : { sourceCandidates: found.ambiguous };
}

async function planInput(
  tx: Transaction<Database>,
  view: DriftView,
  q: { envId: number; iacResourceId: number | null; type: RecommendationType },
): Promise<PlanInput> {
  const declared: JsonValue | null = needsDeclared(view, q.type)
    ? await declaredState(tx, { iacResourceId: q.iacResourceId, envId: q.envId, address: view.resource.address })
    : null;
  return {
    ...(await sourceOf(tx, view, q)),
    tool: view.iacTool,
    driftType: view.driftType,
    resource: view.resource,
    changes: await resolveChanges(tx, view),
    omittedChanges: view.changesTruncated ? Math.max(0, view.changesTruncated.total - view.changesTruncated.included) : 0,
    declared,
    live: view.driftType === 'added' ? await liveBody(tx, view.driftEventId) : null,
    ...(view.previousAddress ? { previousAddress: view.previousAddress } : {}),
  };
}

/**
 * `dg.drift.analyzed.v1.<org>.<env>`: the policy's recommendation for the drift, with its steps
 * and generated code, stored and published (recommendation.created; remediation.requested for
 * an auto_revert the policy lets run unattended) in the message's transaction. A newer analysis
 * supersedes the open recommendation; an analysis not newer than the last one changes nothing;
 * a drift already resolved gets its recommendation recorded as expired and nothing published.
 */
export function driftAnalyzedV1(deps: DriftAnalyzedDeps): EventHandler<'drift.analyzed.v1', Database> {
  const now = deps.now ?? (() => new Date());
  return async (event, { tx, log }) => {
    const data: DataOf<'drift.analyzed.v1'> = event.data;
    const driftEventId = data.driftEventId;
    const drift = await lockDriftAndRead(tx, driftEventId);
    if (!drift || drift.environment_id !== event.envId)
      throw new PermanentError(
        `drift ${driftEventId} does not exist in environment ${event.envId} of organization ${event.orgId}`,
      );
    const analysisVersion = data.analysisVersion ?? 1;
    const newest = await newestRecommendation(tx, driftEventId);
    if (newest && newest.analysis_version >= analysisVersion) {
      log.info(
        { driftEventId, analysisVersion, newest: newest.analysis_version },
        'analysis not newer than the last recommendation; nothing to do',
      );
      return;
    }
    const view = driftViewOf(data, data.drift ? null : await storedDrift(tx, driftEventId));
    if (!view) throw new PermanentError(`drift ${driftEventId} carries no summary and its stored record cannot be read`);

    const layers = await deps.policies.layers(tx, event.orgId, event.envId, log);
    const type = decisionFor(data, view, layers).outcome.recommendationType;
    const plan = await planInput(tx, view, { envId: event.envId, iacResourceId: drift.iac_resource_id, type });
    const rec = recommend(data, view, plan, layers, now());
    const resolved = drift.resolved_at !== null;
    // A resolved drift keeps no open recommendation: one left from an earlier analysis expires too.
    const expired = resolved ? await closeOpen(tx, driftEventId, 'expired') : undefined;
    const superseded = resolved ? undefined : await closeOpen(tx, driftEventId, 'superseded');
    const status = resolved ? 'expired' : 'open';
    const stored = await insertRecommendation(tx, {
      ...rec,
      driftEventId,
      analysisVersion,
      status,
      recommendedBy: RECOMMENDED_BY,
    });
    if (superseded !== undefined) await setSupersededBy(tx, superseded, stored.id);
    await writeAudit(tx, {
      organizationId: event.orgId,
      action: resolved ? 'recommendation.expired' : 'recommendation.created',
      resourceType: 'recommendation',
      resourceId: stored.id,
      newValues: {
        driftEventId,
        analysisVersion,
        recommendationType: rec.recommendationType,
        priority: rec.priority,
        policy: rec.policy,
        ...(superseded !== undefined ? { supersedes: superseded } : {}),
        ...(expired !== undefined ? { expiredAlso: expired } : {}),
      },
    });
    if (resolved) {
      log.info(
        { driftEventId, recommendationId: stored.id },
        'drift resolved before its analysis; recommendation recorded as expired',
      );
      return;
    }
    const opts = { subjectRoot: deps.subjectRoot };
    const created = recommendationCreated({
      data,
      view,
      rec,
      id: stored.id,
      supersedes: superseded,
      recommendedBy: RECOMMENDED_BY,
    });
    await enqueue(tx, 'recommendation.created.v1', event.orgId, event.envId, created, opts);
    if (rec.unattended)
      await enqueue(
        tx,
        'remediation.requested.v1',
        event.orgId,
        event.envId,
        remediationRequested(view, rec, stored.id, now()),
        opts,
      );
    log.info(
      { driftEventId, recommendationId: stored.id, type: rec.recommendationType, rule: rec.policy.rule, supersedes: superseded },
      'recommendation created',
    );
  };
}
