import { enqueue } from '@driftguard/bus';
import {
  ChannelView,
  Deleted,
  IgnoreRuleView,
  IntegrationView,
  NumericIdParams,
  PolicyQuery,
  RepositoryView,
  RoutingRuleView,
  UpdateChannelBody,
  UpdateIgnoreRuleBody,
  UpdateIntegrationBody,
  UpdateRepositoryBody,
  UpdateRoutingRuleBody,
  UuidParams,
} from '@driftguard/contracts';
import { NotFoundError, ProblemError, type HttpApp, type OutboundAllowList } from '@driftguard/runtime';
import { z } from 'zod';
import { audited } from '../audit/audited.js';
import { retireRecommendationPolicy } from '../bootstrap/index.js';
import { channelAuditValues, updateChannel } from '../config/channel-changes.js';
import { organizationRow } from '../config/control-plane.queries.js';
import { ADMIN, auditedBootstrap, callerOf, SECURITY, type ControlPlaneDeps, problems } from '../config/control-plane.js';
import { deleteIntegration, rotateIntegrationSecret } from '../config/integration-changes.js';
import { deleteRepository, repositoryAuditValues, updateRepository } from '../config/repository-changes.js';
import { updateIgnoreRule, updateRoutingRule } from '../config/rule-changes.js';
import { ignoreRuleView } from './config-rules.routes.js';

const notFound = (what: string, id: number | string, code: string) =>
  new NotFoundError(`no ${what} ${id} in your organization`, { code });

function needKeyring(deps: ControlPlaneDeps, what: string) {
  if (!deps.keyring) throw new ProblemError(503, 'master_key_missing', `storing ${what} needs DG_MASTER_KEY on the api`);
  return deps.keyring;
}

/**
 * Changes and removals of configuration: repositories, integrations, channels, routing and
 * ignore rules, policy overrides. Each is one audited transaction (old and new values, secrets
 * never), scoped to the caller's organization (another's object is a 404), validated with the
 * owning code's schemas; what is still referenced is refused with a 409 or kept as history.
 */
export function registerConfigChangeRoutes(
  app: HttpApp,
  deps: ControlPlaneDeps & { outboundAllow: OutboundAllowList | undefined },
): void {
  const { db, subjectRoot } = deps;

  app.patch(
    '/v1/repositories/:id',
    {
      preHandler: ADMIN,
      schema: {
        summary:
          'Change an IaC repository (name, URL, branch, credentials: write-only, null removes them); resyncs when its source changed',
        security: SECURITY,
        params: NumericIdParams,
        body: UpdateRepositoryBody,
        response: { 200: RepositoryView, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      const { credentials, ...rest } = request.body;
      const attempted = {
        ...rest,
        ...(credentials === undefined ? {} : { credentials: credentials === null ? 'removed' : 'given' }),
      };
      const spec = { action: 'iac_repository.updated', resourceType: 'iac_repository', resourceId: id, attempted };
      return audited(db, ctx, spec, async (tx) => {
        const changed = await updateRepository(tx, ctx.orgId, id, request.body, {
          keyring: deps.keyring,
          outbound: { allow: deps.outboundAllow },
        });
        if (!changed) throw notFound('repository', id, 'repository_not_found');
        const { before, after, resync } = changed;
        if (resync)
          await enqueue(
            tx,
            'cmd.repo.sync.v1',
            ctx.orgId,
            after.environmentId,
            { repositoryId: id, reason: 'updated' },
            { subjectRoot },
          );
        const credentialsChanged = credentials === undefined ? undefined : credentials === null ? 'removed' : 'replaced';
        return {
          resourceId: id,
          oldValues: repositoryAuditValues(before),
          newValues: credentialsChanged ? { ...repositoryAuditValues(after), credentialsChanged } : repositoryAuditValues(after),
          result: after,
        };
      });
    },
  );

  app.delete(
    '/v1/repositories/:id',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Remove an IaC repository; refused (409 repository_in_use) while it holds declared resources',
        security: SECURITY,
        params: NumericIdParams,
        response: { 200: Deleted, ...problems(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      const spec = { action: 'iac_repository.deleted', resourceType: 'iac_repository', resourceId: id };
      return audited(db, ctx, spec, async (tx) => {
        const gone = await deleteRepository(tx, ctx.orgId, id);
        if (!gone) throw notFound('repository', id, 'repository_not_found');
        return { resourceId: id, oldValues: repositoryAuditValues(gone), result: { id, deleted: true as const } };
      });
    },
  );

  app.patch(
    '/v1/integrations/:id',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Rotate the signing secret of a context source (write-only; the old one stops working)',
        security: SECURITY,
        params: UuidParams,
        body: UpdateIntegrationBody,
        response: { 200: IntegrationView, ...problems(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      const keyring = needKeyring(deps, 'integration secrets');
      // audit_log ids are integers: an integration's rows are its environment's, the uuid in the values.
      const spec = { action: 'integration.secret_rotated', resourceType: 'environment', attempted: { integrationId: id } };
      return audited(db, ctx, spec, async (tx) => {
        const changed = await rotateIntegrationSecret(tx, ctx.orgId, id, request.body.secret, keyring);
        if (!changed) throw notFound('integration', id, 'integration_not_found');
        const { before, after } = changed;
        return {
          resourceId: after.environmentId,
          oldValues: { integrationId: id, keyId: before.keyId },
          newValues: { integrationId: id, keyId: after.keyId, secretChanged: 'replaced' },
          result: after,
        };
      });
    },
  );

  app.delete(
    '/v1/integrations/:id',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Remove a context source: what it sends is refused from now on',
        security: SECURITY,
        params: UuidParams,
        response: { 200: Deleted, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      const spec = { action: 'integration.deleted', resourceType: 'environment', attempted: { integrationId: id } };
      return audited(db, ctx, spec, async (tx) => {
        const gone = await deleteIntegration(tx, ctx.orgId, id);
        if (!gone) throw notFound('integration', id, 'integration_not_found');
        return {
          resourceId: gone.environmentId,
          oldValues: { integrationId: id, source: gone.source, keyId: gone.keyId },
          newValues: { integrationId: id, deleted: true },
          result: { id, deleted: true as const },
        };
      });
    },
  );

  app.patch(
    '/v1/channels/:id',
    {
      preHandler: ADMIN,
      schema: {
        summary:
          "Change a channel: name, default, configuration merged over the stored one and validated by the type's adapter; secrets write-only",
        security: SECURITY,
        params: NumericIdParams,
        body: UpdateChannelBody,
        response: { 200: ChannelView, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      if (!deps.channels)
        throw new ProblemError(503, 'channel_adapters_missing', 'this api runs without the notifier channel adapters');
      const validate = deps.channels.validate;
      const keyring = needKeyring(deps, 'channel secrets');
      const { config, ...rest } = request.body;
      const spec = {
        action: 'notification_channel.updated',
        resourceType: 'notification_channel',
        resourceId: id,
        attempted: { ...rest, ...(config === undefined ? {} : { fields: Object.keys(config) }) },
      };
      return audited(db, ctx, spec, async (tx) => {
        const changed = await updateChannel(tx, ctx.orgId, id, request.body, { keyring, validate });
        if (!changed) throw notFound('active channel', id, 'channel_not_found');
        return {
          resourceId: id,
          oldValues: channelAuditValues(changed.before),
          newValues: channelAuditValues(changed.after, { secretsReplaced: changed.replacedSecrets }),
          result: changed.after,
        };
      });
    },
  );

  app.patch(
    '/v1/routing-rules/:id',
    {
      preHandler: ADMIN,
      schema: {
        summary: "Change a routing rule (validated by the notifier's routing schema); isActive switches it on or off",
        security: SECURITY,
        params: NumericIdParams,
        body: UpdateRoutingRuleBody,
        response: { 200: RoutingRuleView.extend({ isActive: z.boolean() }), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      const { match, ...rest } = request.body;
      const spec = {
        action: 'routing_rule.updated',
        resourceType: 'routing_rule',
        resourceId: id,
        attempted: { ...rest, ...(match === undefined ? {} : { matchFields: Object.keys(match) }) },
      };
      return audited(db, ctx, spec, async (tx) => {
        const changed = await updateRoutingRule(tx, ctx.orgId, id, request.body);
        if (!changed) throw notFound('routing rule', id, 'routing_rule_not_found');
        return { resourceId: id, oldValues: { ...changed.before }, newValues: { ...changed.after }, result: changed.after };
      });
    },
  );

  app.patch(
    '/v1/ignore-rules/:id',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Change an ignore rule (its suppression count stays); isActive switches it on or off',
        security: SECURITY,
        params: NumericIdParams,
        body: UpdateIgnoreRuleBody,
        response: { 200: IgnoreRuleView, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      const spec = { action: 'ignore_rule.updated', resourceType: 'ignore_rule', resourceId: id, attempted: { ...request.body } };
      return audited(db, ctx, spec, async (tx) => {
        const changed = await updateIgnoreRule(tx, ctx.orgId, id, request.body);
        if (!changed) throw notFound('ignore rule', id, 'ignore_rule_not_found');
        const [before, after] = [ignoreRuleView(changed.before), ignoreRuleView(changed.after)];
        return { resourceId: id, oldValues: { ...before }, newValues: { ...after }, result: after };
      });
    },
  );

  app.delete(
    '/v1/recommendation-policy',
    {
      preHandler: ADMIN,
      schema: {
        summary:
          'Remove the recommendation policy override of the organization or an environment: the next layer (or the defaults) applies; its versions stay as history',
        security: SECURITY,
        querystring: PolicyQuery,
        response: { 200: z.object({ retiredVersions: z.number().int() }), ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const environment = request.query.environment;
      const org = await organizationRow(db, ctx.orgId);
      const spec = {
        action: 'recommendation_policy.removed',
        resourceType: environment ? 'environment' : 'organization',
        attempted: { environment: environment ?? null },
      };
      return auditedBootstrap(db, ctx, spec, (tx, audit) =>
        retireRecommendationPolicy(tx, { orgSlug: org.slug, envSlug: environment }, audit),
      );
    },
  );
}
