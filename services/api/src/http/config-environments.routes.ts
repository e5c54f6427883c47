import { enqueue } from '@driftguard/bus';
import {
  CreateEnvironmentBody,
  CreateIntegrationBody,
  CreateRepositoryBody,
  EnvironmentList,
  EnvironmentTier,
  EnvironmentView,
  IacTool,
  IntegrationList,
  IntegrationSource,
  IntegrationView,
  NumericIdParams,
  OrganizationView,
  RepositoryList,
  RepositoryView,
  SyncAccepted,
  UpdateEnvironmentBody,
  UpdateOrganizationBody,
  CloudProvider,
} from '@driftguard/contracts';
import type { Environment, JsonValue } from '@driftguard/db';
import { NotFoundError, ProblemError, type HttpApp, type OutboundAllowList } from '@driftguard/runtime';
import { z } from 'zod';
import { audited } from '../audit/audited.js';
import { createEnvironment, createIntegration, createRepository } from '../bootstrap/index.js';
import {
  environmentRow,
  listEnvironmentRows,
  listIntegrationRows,
  listRepositoryRows,
  lockEnvironment,
  lockOrganization,
  organizationRow,
  renameOrganization,
  repositoryOf,
  updateEnvironmentRow,
} from '../config/control-plane.queries.js';
import { ADMIN, auditedBootstrap, callerOf, READ, SECURITY, type ControlPlaneDeps, problems } from '../config/control-plane.js';

const Tags = z.record(z.string(), z.string());

function environmentView(row: Environment): EnvironmentView {
  const parsed = Tags.safeParse(row.tags);
  const tags = parsed.success ? parsed.data : {};
  const tier = EnvironmentTier.safeParse(tags['tier']);
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    cloudProvider: CloudProvider.parse(row.cloud_provider),
    region: row.region,
    accountId: row.account_id,
    tags,
    tier: tier.success ? tier.data : null,
    isActive: row.is_active !== false,
  };
}

const auditValues = (v: EnvironmentView): JsonValue => ({ ...v });

function needKeyring(deps: ControlPlaneDeps, what: string) {
  if (!deps.keyring) throw new ProblemError(503, 'master_key_missing', `storing ${what} needs DG_MASTER_KEY on the api`);
  return deps.keyring;
}

/** The caller's organization, its environments, IaC repositories and signed integrations. */
export function registerEnvironmentRoutes(
  app: HttpApp,
  deps: ControlPlaneDeps & { outboundAllow: OutboundAllowList | undefined },
): void {
  const { db, subjectRoot } = deps;

  app.get(
    '/v1/organization',
    {
      preHandler: READ,
      schema: {
        summary: "The caller's organization",
        security: SECURITY,
        response: { 200: OrganizationView, ...problems(401, 403) },
      },
    },
    async (request) => organizationRow(db, callerOf(request).orgId),
  );

  app.patch(
    '/v1/organization',
    {
      preHandler: ADMIN,
      schema: {
        summary: "Rename the caller's organization (its slug stays: tokens and URLs name it)",
        security: SECURITY,
        body: UpdateOrganizationBody,
        response: { 200: OrganizationView, ...problems(401, 403) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const spec = {
        action: 'organization.updated',
        resourceType: 'organization',
        resourceId: ctx.orgId,
        attempted: { ...request.body },
      };
      return audited(db, ctx, spec, async (tx) => {
        const before = await lockOrganization(tx, ctx.orgId);
        const after = await renameOrganization(tx, ctx.orgId, request.body.name);
        return { resourceId: ctx.orgId, oldValues: { name: before.name }, newValues: { name: after.name }, result: after };
      });
    },
  );

  app.get(
    '/v1/environments',
    {
      preHandler: READ,
      schema: {
        summary: 'Environments of the organization',
        security: SECURITY,
        response: { 200: EnvironmentList, ...problems(401, 403) },
      },
    },
    async (request) => ({ items: (await listEnvironmentRows(db, callerOf(request).orgId)).map(environmentView) }),
  );

  app.get(
    '/v1/environments/:id',
    {
      preHandler: READ,
      schema: {
        summary: 'One environment',
        security: SECURITY,
        params: NumericIdParams,
        response: { 200: EnvironmentView, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const row = await environmentRow(db, callerOf(request).orgId, request.params.id);
      if (!row)
        throw new NotFoundError(`no environment ${request.params.id} in your organization`, { code: 'environment_not_found' });
      return environmentView(row);
    },
  );

  app.post(
    '/v1/environments',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Create an environment (cloud provider, region, account, tags, tier)',
        security: SECURITY,
        body: CreateEnvironmentBody,
        response: { 201: EnvironmentView, ...problems(401, 403, 409) },
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const b = request.body;
      const org = await organizationRow(db, ctx.orgId);
      const spec = { action: 'environment.created', resourceType: 'environment', attempted: { ...b } };
      const view = await auditedBootstrap(db, ctx, spec, async (tx, audit) => {
        const ref = await createEnvironment(
          tx,
          { orgSlug: org.slug, slug: b.slug, cloud: b.cloudProvider, region: b.region, account: b.accountId, name: b.name },
          audit,
        );
        const tags = { ...b.tags, ...(b.tier ? { tier: b.tier } : {}) };
        return environmentView(await updateEnvironmentRow(tx, ref.id, { tags }));
      });
      return reply.code(201).send(view);
    },
  );

  app.patch(
    '/v1/environments/:id',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Change an environment (name, region, account, tags, tier, active)',
        security: SECURITY,
        params: NumericIdParams,
        body: UpdateEnvironmentBody,
        response: { 200: EnvironmentView, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      const b = request.body;
      const spec = { action: 'environment.updated', resourceType: 'environment', resourceId: id, attempted: { ...b } };
      return audited(db, ctx, spec, async (tx) => {
        const before = await lockEnvironment(tx, ctx.orgId, id);
        if (!before) throw new NotFoundError(`no environment ${id} in your organization`, { code: 'environment_not_found' });
        const old = environmentView(before);
        let tags: Record<string, string> | undefined;
        if (b.tags !== undefined || b.tier !== undefined) {
          const { tier: _tier, ...rest } = b.tags ?? old.tags;
          const tier = b.tier === undefined ? old.tier : b.tier;
          tags = { ...rest, ...(tier ? { tier } : {}) };
        }
        const after = environmentView(
          await updateEnvironmentRow(tx, id, {
            name: b.name,
            region: b.region,
            account_id: b.accountId,
            tags,
            is_active: b.isActive,
          }),
        );
        return { resourceId: id, oldValues: auditValues(old), newValues: auditValues(after), result: after };
      });
    },
  );

  app.get(
    '/v1/repositories',
    {
      preHandler: READ,
      schema: {
        summary: 'IaC repositories of the organization (credentials never shown)',
        security: SECURITY,
        response: { 200: RepositoryList, ...problems(401, 403) },
      },
    },
    async (request) => {
      const rows = await listRepositoryRows(db, callerOf(request).orgId);
      return {
        items: rows.map((r) => ({
          id: r.id,
          environmentId: r.environment_id,
          name: r.name,
          tool: IacTool.parse(r.tool),
          url: r.repository_url,
          branch: r.branch ?? 'main',
          lastSyncAt: r.last_sync_at === null ? null : new Date(r.last_sync_at).toISOString(),
          hasCredentials: r.has_credentials,
        })),
      };
    },
  );

  app.post(
    '/v1/repositories',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Register an IaC repository (credentials write-only, stored encrypted) and sync it',
        security: SECURITY,
        body: CreateRepositoryBody,
        response: { 201: RepositoryView, ...problems(401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const { environment, credentials, ...rest } = request.body;
      const keyring = credentials === undefined ? undefined : needKeyring(deps, 'repository credentials');
      const org = await organizationRow(db, ctx.orgId);
      const spec = {
        action: 'iac_repository.created',
        resourceType: 'iac_repository',
        attempted: { environment, ...rest, credentials: credentials === undefined ? null : 'given' },
      };
      const view = await auditedBootstrap(db, ctx, spec, async (tx, audit) => {
        const ref = await createRepository(
          tx,
          { orgSlug: org.slug, envSlug: environment, ...rest, credentials, keyring, outbound: { allow: deps.outboundAllow } },
          audit,
        );
        await enqueue(
          tx,
          'cmd.repo.sync.v1',
          ctx.orgId,
          ref.envId,
          { repositoryId: ref.id, reason: 'registered' },
          { subjectRoot },
        );
        return {
          id: ref.id,
          environmentId: ref.envId,
          name: ref.name,
          tool: ref.tool,
          url: ref.url,
          branch: ref.branch,
          lastSyncAt: null,
          hasCredentials: ref.hasCredentials,
        };
      });
      return reply.code(201).send(view);
    },
  );

  app.post(
    '/v1/repositories/:id/sync',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Re-read the declared state of a repository now (cmd.repo.sync)',
        security: SECURITY,
        params: NumericIdParams,
        response: { 202: SyncAccepted, ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      const spec = { action: 'iac_repository.sync_requested', resourceType: 'iac_repository', resourceId: id };
      const result = await audited(db, ctx, spec, async (tx) => {
        const repo = await repositoryOf(tx, ctx.orgId, id);
        if (!repo) throw new NotFoundError(`no repository ${id} in your organization`, { code: 'repository_not_found' });
        const event = await enqueue(
          tx,
          'cmd.repo.sync.v1',
          ctx.orgId,
          repo.environment_id,
          { repositoryId: id, reason: 'requested' },
          { subjectRoot },
        );
        return { resourceId: id, newValues: { commandId: event.id }, result: { repositoryId: id, commandId: event.id } };
      });
      return reply.code(202).send(result);
    },
  );

  app.get(
    '/v1/integrations',
    {
      preHandler: READ,
      schema: {
        summary: 'Signed context sources (secrets never shown)',
        security: SECURITY,
        response: { 200: IntegrationList, ...problems(401, 403) },
      },
    },
    async (request) => {
      const rows = await listIntegrationRows(db, callerOf(request).orgId);
      return {
        items: rows.map((r) => ({
          id: r.id,
          environmentId: r.environment_id,
          source: IntegrationSource.parse(r.source),
          keyId: r.key_id,
          createdAt: new Date(r.created_at).toISOString(),
        })),
      };
    },
  );

  app.post(
    '/v1/integrations',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Register a signed context source; its signing secret is write-only',
        security: SECURITY,
        body: CreateIntegrationBody,
        response: { 201: IntegrationView, ...problems(401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const { environment, source, secret } = request.body;
      const keyring = needKeyring(deps, 'integration secrets');
      const org = await organizationRow(db, ctx.orgId);
      const spec = { action: 'integration.created', resourceType: 'integration', attempted: { environment, source } };
      const view = await auditedBootstrap(db, ctx, spec, async (tx, audit) => {
        const ref = await createIntegration(tx, { orgSlug: org.slug, envSlug: environment, source, secret, keyring }, audit);
        return {
          id: ref.id,
          environmentId: ref.envId,
          source: ref.source,
          keyId: ref.keyId,
          createdAt: new Date().toISOString(),
        };
      });
      return reply.code(201).send(view);
    },
  );
}
