import { enqueue } from '@driftguard/bus';
import {
  type ChannelType,
  type DataOf,
  type JsonValue,
  ChannelList,
  ChannelTestResult,
  ChannelView,
  CommandAccepted,
  CreateChannelBody,
  CreateRoutingRuleBody,
  CreateMaintenanceWindowBody,
  CreateSilenceBody,
  MaintenanceWindowList,
  SilenceList,
  NumericIdParams,
  RoutingRuleList,
  RoutingRuleView,
} from '@driftguard/contracts';
import { NotFoundError, ProblemError, UnprocessableInputError, type HttpApp } from '@driftguard/runtime';
import { audited, type AuditSpec } from '../audit/audited.js';
import { createChannel, createRoute, listChannels, listRoutes, removeChannel } from '../bootstrap/index.js';
import {
  deactivateRoutingRule,
  environmentIdsBySlug,
  listMaintenanceWindowRows,
  listSilenceRows,
  organizationRow,
} from '../config/control-plane.queries.js';
import { z } from 'zod';
import {
  actorName,
  ADMIN,
  ACT,
  auditedBootstrap,
  callerOf,
  READ,
  SECURITY,
  type ChannelAdapters,
  type ChannelTestOutcome,
  type ControlPlaneDeps,
  problems,
} from '../config/control-plane.js';

const channelView = (c: {
  id: number;
  name: string;
  type: ChannelType;
  isDefault: boolean;
  configuration: Record<string, unknown>;
  isActive: boolean;
}) => ({
  id: c.id,
  name: c.name,
  type: c.type,
  isDefault: c.isDefault,
  configuration: c.configuration,
  isActive: c.isActive,
});

function adaptersOf(deps: ControlPlaneDeps): ChannelAdapters {
  if (!deps.channels)
    throw new ProblemError(503, 'channel_adapters_missing', 'this api runs without the notifier channel adapters');
  return deps.channels;
}

/** Notification channels (secrets write-only), routing rules and silences. */
export function registerNotifyRoutes(app: HttpApp, deps: ControlPlaneDeps): void {
  const { db, subjectRoot } = deps;

  app.get(
    '/v1/channels',
    {
      preHandler: READ,
      schema: {
        summary: 'Notification channels; secret fields are never returned',
        security: SECURITY,
        response: { 200: ChannelList, ...problems(401, 403) },
      },
    },
    async (request) => {
      const org = await organizationRow(db, callerOf(request).orgId);
      return { items: (await listChannels(db, org.slug)).map(channelView) };
    },
  );

  app.post(
    '/v1/channels',
    {
      preHandler: ADMIN,
      schema: {
        summary: "Add a channel; its configuration is validated by the channel type's adapter and its secrets stored encrypted",
        security: SECURITY,
        body: CreateChannelBody,
        response: { 201: ChannelView, ...problems(401, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const adapters = adaptersOf(deps);
      if (!deps.keyring)
        throw new ProblemError(503, 'master_key_missing', 'storing channel secrets needs DG_MASTER_KEY on the api');
      const keyring = deps.keyring;
      const { name, type, isDefault, config } = request.body;
      const org = await organizationRow(db, ctx.orgId);
      const spec = {
        action: 'notification_channel.created',
        resourceType: 'notification_channel',
        attempted: { name, type, fields: Object.keys(config) },
      };
      const ref = await auditedBootstrap(db, ctx, spec, (tx, audit) =>
        createChannel(tx, { orgSlug: org.slug, name, type, isDefault, config, keyring, validate: adapters.validate }, audit),
      );
      return reply.code(201).send(channelView(ref));
    },
  );

  app.delete(
    '/v1/channels/:id',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Deactivate a channel (its rules route nowhere; its history stays)',
        security: SECURITY,
        params: NumericIdParams,
        response: { 200: ChannelView, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const org = await organizationRow(db, ctx.orgId);
      const found = (await listChannels(db, org.slug)).find((c) => c.id === request.params.id && c.isActive);
      if (!found)
        throw new NotFoundError(`no active channel ${request.params.id} in your organization`, { code: 'channel_not_found' });
      const spec = { action: 'notification_channel.removed', resourceType: 'notification_channel', resourceId: found.id };
      await auditedBootstrap(db, ctx, spec, (tx, audit) => removeChannel(tx, org.slug, found.name, audit));
      return channelView({ ...found, isActive: false, isDefault: false });
    },
  );

  app.post(
    '/v1/channels/:id/test',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Send a test message through a channel and report what the provider answered',
        security: SECURITY,
        params: NumericIdParams,
        response: { 200: ChannelTestResult, ...problems(401, 403, 404, 503) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const adapters = adaptersOf(deps);
      const org = await organizationRow(db, ctx.orgId);
      const found = (await listChannels(db, org.slug)).find((c) => c.id === request.params.id && c.isActive);
      if (!found)
        throw new NotFoundError(`no active channel ${request.params.id} in your organization`, { code: 'channel_not_found' });
      const spec = { action: 'notification_channel.tested', resourceType: 'notification_channel', resourceId: found.id };
      // The provider is called outside any transaction; its answer is then audited.
      let out: ChannelTestOutcome | undefined;
      let failure: unknown;
      try {
        out = await adapters.sendTest(db, found.id);
      } catch (err) {
        failure = err;
      }
      return audited(db, ctx, spec, async () => {
        if (out === undefined) throw failure;
        const result = { ok: out.ok, status: out.status ?? null, retryable: out.retryable ?? false, detail: out.detail ?? null };
        return { resourceId: found.id, newValues: { ok: result.ok, status: result.status }, result };
      });
    },
  );

  app.get(
    '/v1/routing-rules',
    {
      preHandler: READ,
      schema: {
        summary: 'Routing rules in the order they are tried',
        security: SECURITY,
        response: { 200: RoutingRuleList, ...problems(401, 403) },
      },
    },
    async (request) => {
      const org = await organizationRow(db, callerOf(request).orgId);
      return { items: await listRoutes(db, org.slug) };
    },
  );

  app.post(
    '/v1/routing-rules',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Add a routing rule (validated by the notifier’s routing schema)',
        security: SECURITY,
        body: CreateRoutingRuleBody,
        response: { 201: RoutingRuleView, ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const { environment, ...rest } = request.body;
      const org = await organizationRow(db, ctx.orgId);
      const spec = {
        action: 'routing_rule.created',
        resourceType: 'routing_rule',
        attempted: { channel: rest.channel, environment: environment ?? null },
      };
      const ref = await auditedBootstrap(db, ctx, spec, (tx, audit) =>
        createRoute(tx, { orgSlug: org.slug, envSlug: environment, ...rest }, audit),
      );
      return reply.code(201).send(ref);
    },
  );

  app.delete(
    '/v1/routing-rules/:id',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Deactivate a routing rule',
        security: SECURITY,
        params: NumericIdParams,
        response: { 200: z.object({ id: z.number().int(), isActive: z.literal(false) }), ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      return audited(
        db,
        ctx,
        { action: 'routing_rule.deactivated', resourceType: 'routing_rule', resourceId: id },
        async (tx) => {
          const before = await deactivateRoutingRule(tx, ctx.orgId, id);
          if (!before) throw new NotFoundError(`no routing rule ${id} in your organization`, { code: 'routing_rule_not_found' });
          return {
            resourceId: id,
            oldValues: { name: before.name, isActive: before.is_active },
            newValues: { name: before.name, isActive: false },
            result: { id, isActive: false as const },
          };
        },
      );
    },
  );

  app.get(
    '/v1/silences',
    {
      preHandler: READ,
      schema: {
        summary: 'Silences (created through cmd.silence.create; kept by the notifier)',
        security: SECURITY,
        response: { 200: SilenceList, ...problems(401, 403) },
      },
    },
    async (request) => {
      const rows = await listSilenceRows(db, callerOf(request).orgId);
      const now = Date.now();
      return {
        items: rows.map((r) => ({
          id: r.id,
          matchers: r.matchers,
          startsAt: new Date(r.starts_at).toISOString(),
          endsAt: new Date(r.ends_at).toISOString(),
          createdBy: r.created_by,
          comment: r.comment,
          active: new Date(r.starts_at).getTime() <= now && now < new Date(r.ends_at).getTime(),
        })),
      };
    },
  );

  app.get(
    '/v1/maintenance-windows',
    {
      preHandler: READ,
      schema: {
        summary: 'Maintenance windows and quiet hours (kept by the notifier)',
        security: SECURITY,
        response: { 200: MaintenanceWindowList, ...problems(401, 403) },
      },
    },
    async (request) => {
      const rows = await listMaintenanceWindowRows(db, callerOf(request).orgId);
      return {
        items: rows.map((r) => ({
          id: r.id,
          environmentId: r.environment_id,
          name: r.name,
          kind: r.kind,
          weekdays: r.weekdays,
          startTime: r.start_time,
          endTime: r.end_time,
          timeZone: r.time_zone,
          isActive: r.is_active,
        })),
      };
    },
  );

  /**
   * Sends `key` to the notifier for the environment named `slug` through the outbox, with its
   * audit row in the same transaction; 404 when the organization has no such environment.
   */
  async function commandToEnvironment<K extends 'cmd.silence.create.v1' | 'cmd.maintenance_window.create.v1'>(
    ctx: ReturnType<typeof callerOf>,
    slug: string,
    spec: AuditSpec,
    key: K,
    data: DataOf<K>,
    recorded: { [key: string]: JsonValue },
  ) {
    return audited(db, ctx, spec, async (tx) => {
      const [env] = await environmentIdsBySlug(tx, ctx.orgId, [slug]);
      if (!env) throw new NotFoundError(`no environment ${slug} in your organization`, { code: 'environment_not_found' });
      const event = await enqueue(tx, key, ctx.orgId, env.id, data, { subjectRoot });
      return {
        resourceId: env.id,
        newValues: { ...recorded, commandId: event.id },
        result: { commandId: event.id, type: event.type },
      };
    });
  }

  app.post(
    '/v1/silences',
    {
      preHandler: ACT,
      schema: {
        summary: 'Silence notifications matching the matchers for a time (cmd.silence.create to the notifier)',
        security: SECURITY,
        body: CreateSilenceBody,
        response: { 202: CommandAccepted, ...problems(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const { environment, matchers, comment, endsAt } = request.body;
      const startsAt = request.body.startsAt ?? new Date().toISOString();
      if (Date.parse(endsAt) <= Date.parse(startsAt))
        throw new UnprocessableInputError('endsAt must be after startsAt', 'invalid_window');
      const result = await commandToEnvironment(
        ctx,
        environment,
        { action: 'silence.create_requested', resourceType: 'silence', attempted: { ...request.body } },
        'cmd.silence.create.v1',
        { matchers, startsAt, endsAt, comment, createdBy: actorName(ctx) },
        { matchers, startsAt, endsAt, comment },
      );
      return reply.code(202).send(result);
    },
  );

  app.post(
    '/v1/maintenance-windows',
    {
      preHandler: ACT,
      schema: {
        summary:
          'Add a recurring maintenance window or quiet hours to an environment (cmd.maintenance_window.create to the notifier)',
        security: SECURITY,
        body: CreateMaintenanceWindowBody,
        response: { 202: CommandAccepted, ...problems(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const { environment, ...window } = request.body;
      const result = await commandToEnvironment(
        ctx,
        environment,
        { action: 'maintenance_window.create_requested', resourceType: 'maintenance_window', attempted: { ...request.body } },
        'cmd.maintenance_window.create.v1',
        { ...window, createdBy: actorName(ctx) },
        { ...window },
      );
      return reply.code(202).send(result);
    },
  );
}
