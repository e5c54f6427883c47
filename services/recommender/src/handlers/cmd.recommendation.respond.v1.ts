import { PermanentError, type EventHandler } from '@driftguard/bus';
import type { DataOf } from '@driftguard/contracts';
import { writeAudit, type Database } from '@driftguard/db';
import { recordDecision, recommendationForDecision, type DecisionStatus } from '../recommendations.queries.js';

type Respond = DataOf<'cmd.recommendation.respond.v1'>;

const TARGET: Record<Respond['action'], DecisionStatus> = { accept: 'accepted', reject: 'rejected', implemented: 'implemented' };

/**
 * From which statuses each answer may come. An executor may report an implementation after the
 * drift was resolved (its revert is what resolved it), so `implemented` also follows `expired`.
 */
const ALLOWED_FROM: Record<Respond['action'], readonly string[]> = {
  accept: ['open'],
  reject: ['open', 'accepted'],
  implemented: ['open', 'accepted', 'expired'],
};

/**
 * `dg.cmd.recommendation.respond.v1.<org>.<env>`: an engineer accepted or rejected a
 * recommendation, or an executor implemented it; recorded with who, when, why or the result,
 * and an audit row. The same answer twice changes nothing; an answer the recommendation's
 * status does not allow (accepting a superseded one) is refused and dead-lettered.
 */
export function cmdRecommendationRespondV1(
  opts: { now?: () => Date } = {},
): EventHandler<'cmd.recommendation.respond.v1', Database> {
  const now = opts.now ?? (() => new Date());
  return async (event, { tx, log }) => {
    const d = event.data;
    const rec = await recommendationForDecision(tx, d.recommendationId);
    if (!rec || rec.environment_id !== event.envId)
      throw new PermanentError(`recommendation ${d.recommendationId} does not exist in environment ${event.envId}`);
    const target = TARGET[d.action];
    if (rec.status === target) {
      log.info({ recommendationId: rec.id, status: rec.status }, 'answer recorded already; nothing to do');
      return;
    }
    if (!ALLOWED_FROM[d.action].includes(rec.status))
      throw new PermanentError(`recommendation ${rec.id} is ${rec.status}: it cannot be ${target}`);
    const at = now();
    const firstDecision = rec.decided_at === null;
    switch (d.action) {
      case 'accept':
        await recordDecision(tx, rec.id, {
          status: target,
          actor: d.actor,
          ...(d.note ? { reason: d.note } : {}),
          at,
          firstDecision,
        });
        break;
      case 'reject':
        await recordDecision(tx, rec.id, { status: target, actor: d.actor, reason: d.reason, at, firstDecision });
        break;
      case 'implemented':
        await recordDecision(tx, rec.id, {
          status: target,
          actor: d.actor,
          result: { ...d.result, reportedBy: d.actor },
          at,
          firstDecision,
        });
        break;
      default: {
        const never: never = d;
        throw new PermanentError(`unknown answer ${JSON.stringify(never)}`);
      }
    }
    await writeAudit(tx, {
      organizationId: event.orgId,
      action: `recommendation.${target}`,
      resourceType: 'recommendation',
      resourceId: rec.id,
      oldValues: { status: rec.status },
      newValues: {
        status: target,
        actor: d.actor,
        ...(d.action === 'reject' ? { reason: d.reason } : {}),
        ...(d.action === 'implemented' ? { result: { ...d.result } } : {}),
      },
    });
    log.info({ recommendationId: rec.id, from: rec.status, to: target }, 'recommendation answered');
  };
}
