import { enqueue } from '@driftguard/bus';
import { CommandAccepted, NumericIdParams, RespondRecommendationBody, ResolveDriftBody } from '@driftguard/contracts';
import { ConflictError, NotFoundError, type HttpApp } from '@driftguard/runtime';
import { audited } from '../audit/audited.js';
import { driftOf, notificationOf, recommendationOf } from '../config/control-plane.queries.js';
import { ACT, actorName, callerOf, SECURITY, type ControlPlaneDeps, problems } from '../config/control-plane.js';

const ACCEPTED = { 202: CommandAccepted, ...problems(401, 403, 404, 409) };

/**
 * Actions on drift, recommendations and notifications. Each is a command to the owning service
 * (`cmd.drift.resolve`, `cmd.recommendation.respond`, `cmd.notification.acknowledge`) written to
 * the api's outbox in the transaction of its audit row, so both happen or neither: 202 Accepted.
 */
export function registerActionRoutes(app: HttpApp, { db, subjectRoot }: ControlPlaneDeps): void {
  app.post(
    '/v1/drifts/:id/resolve',
    {
      preHandler: ACT,
      schema: {
        summary: 'Resolve, accept or escalate a drift (resolutionType), optionally confirming its cause (a training label)',
        security: SECURITY,
        params: NumericIdParams,
        body: ResolveDriftBody,
        response: ACCEPTED,
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      const body = request.body;
      const spec = { action: 'drift.resolve_requested', resourceType: 'drift_event', resourceId: id, attempted: body };
      const result = await audited(db, ctx, spec, async (tx) => {
        const drift = await driftOf(tx, ctx.orgId, id);
        if (!drift) throw new NotFoundError(`no drift ${id} in your organization`, { code: 'drift_not_found' });
        if (drift.resolved_at !== null) {
          throw new ConflictError(`drift ${id} is already resolved (${drift.resolution_type ?? 'unknown'})`);
        }
        const event = await enqueue(
          tx,
          'cmd.drift.resolve.v1',
          ctx.orgId,
          drift.environment_id,
          { driftEventId: id, ...body, actor: actorName(ctx) },
          { subjectRoot },
        );
        return { resourceId: id, newValues: { ...body, commandId: event.id }, result: { commandId: event.id, type: event.type } };
      });
      return reply.code(202).send(result);
    },
  );

  app.post(
    '/v1/recommendations/:id/respond',
    {
      preHandler: ACT,
      schema: {
        summary: 'Accept, reject (with a reason) or mark implemented a recommendation',
        security: SECURITY,
        params: NumericIdParams,
        body: RespondRecommendationBody,
        response: ACCEPTED,
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      const body = request.body;
      const spec = { action: `recommendation.${body.action}`, resourceType: 'recommendation', resourceId: id, attempted: body };
      const result = await audited(db, ctx, spec, async (tx) => {
        const rec = await recommendationOf(tx, ctx.orgId, id);
        if (!rec) throw new NotFoundError(`no recommendation ${id} in your organization`, { code: 'recommendation_not_found' });
        const event = await enqueue(
          tx,
          'cmd.recommendation.respond.v1',
          ctx.orgId,
          rec.environment_id,
          { ...body, recommendationId: id, actor: actorName(ctx) },
          { subjectRoot },
        );
        return { resourceId: id, newValues: { ...body, commandId: event.id }, result: { commandId: event.id, type: event.type } };
      });
      return reply.code(202).send(result);
    },
  );

  app.post(
    '/v1/notifications/:id/acknowledge',
    {
      preHandler: ACT,
      schema: {
        summary: 'Acknowledge a notification (stops escalation of its drift)',
        security: SECURITY,
        params: NumericIdParams,
        response: ACCEPTED,
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      const spec = { action: 'notification.acknowledge_requested', resourceType: 'notification', resourceId: id };
      const result = await audited(db, ctx, spec, async (tx) => {
        const n = await notificationOf(tx, ctx.orgId, id);
        if (!n) throw new NotFoundError(`no notification ${id} in your organization`, { code: 'notification_not_found' });
        const event = await enqueue(
          tx,
          'cmd.notification.acknowledge.v1',
          ctx.orgId,
          n.environment_id,
          {
            driftEventId: n.drift_event_id,
            notificationId: id,
            actor: actorName(ctx),
            via: ctx.actor.kind === 'user' ? 'console' : 'api',
          },
          { subjectRoot },
        );
        return {
          resourceId: id,
          newValues: { driftEventId: n.drift_event_id, commandId: event.id },
          result: { commandId: event.id, type: event.type },
        };
      });
      return reply.code(202).send(result);
    },
  );
}
