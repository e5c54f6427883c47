import {
  CreateIgnoreRuleBody,
  IgnoreRuleList,
  IgnoreRuleView,
  NumericIdParams,
  PolicyAnswer,
  PolicyQuery,
  SetPolicyBody,
} from '@driftguard/contracts';
import type { IgnoreRule } from '@driftguard/db';
import { NotFoundError, type HttpApp } from '@driftguard/runtime';
import type { z } from 'zod';
import { audited } from '../audit/audited.js';
import { setRecommendationPolicy, showRecommendationPolicy, type RecommendationPolicyRef } from '../bootstrap/index.js';
import {
  deactivateIgnoreRule,
  environmentIdsBySlug,
  insertIgnoreRule,
  listIgnoreRuleRows,
  organizationRow,
} from '../config/control-plane.queries.js';
import {
  actorName,
  ADMIN,
  auditedBootstrap,
  callerOf,
  READ,
  SECURITY,
  type ControlPlaneDeps,
  problems,
} from '../config/control-plane.js';

const iso = (d: Date | string) => new Date(d).toISOString();

export function ignoreRuleView(r: IgnoreRule): z.infer<typeof IgnoreRuleView> {
  return {
    id: r.id,
    environmentId: r.environment_id,
    resourceType: r.resource_type,
    addressPattern: r.address_pattern,
    propertyPath: r.property_path,
    syntax: r.syntax,
    reason: r.reason,
    suppressedCount: Number(r.suppressed_count),
    createdAt: iso(r.created_at),
    expiresAt: r.expires_at === null ? null : iso(r.expires_at),
    isActive: r.is_active,
  };
}

const policyView = (p: RecommendationPolicyRef) => ({
  environment: p.envSlug,
  version: p.version,
  document: p.document,
  createdAt: iso(p.createdAt),
  createdBy: p.createdBy,
});

/** Ignore rules (with what each suppressed) and recommendation policy overrides. */
export function registerRuleRoutes(app: HttpApp, { db }: ControlPlaneDeps): void {
  app.get(
    '/v1/ignore-rules',
    {
      preHandler: READ,
      schema: {
        summary: 'Ignore rules and how much drift each suppressed',
        security: SECURITY,
        response: { 200: IgnoreRuleList, ...problems(401, 403) },
      },
    },
    async (request) => ({ items: (await listIgnoreRuleRows(db, callerOf(request).orgId)).map(ignoreRuleView) }),
  );

  app.post(
    '/v1/ignore-rules',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Add an ignore rule (a resource type, an address pattern and/or a property path)',
        security: SECURITY,
        body: CreateIgnoreRuleBody,
        response: { 201: IgnoreRuleView, ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const ctx = callerOf(request);
      const b = request.body;
      const spec = { action: 'ignore_rule.created', resourceType: 'ignore_rule', attempted: { ...b } };
      const view = await audited(db, ctx, spec, async (tx) => {
        let environmentId: number | null = null;
        if (b.environment !== undefined) {
          const [env] = await environmentIdsBySlug(tx, ctx.orgId, [b.environment]);
          if (!env)
            throw new NotFoundError(`no environment ${b.environment} in your organization`, { code: 'environment_not_found' });
          environmentId = env.id;
        }
        const row = await insertIgnoreRule(tx, {
          organization_id: ctx.orgId,
          environment_id: environmentId,
          resource_type: b.resourceType ?? null,
          address_pattern: b.addressPattern ?? null,
          property_path: b.propertyPath ?? null,
          syntax: b.syntax,
          reason: b.reason,
          created_by: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
          expires_at: b.expiresAt === undefined ? null : new Date(b.expiresAt),
        });
        const view = ignoreRuleView(row);
        return { resourceId: row.id, newValues: { ...view }, result: view };
      });
      return reply.code(201).send(view);
    },
  );

  app.delete(
    '/v1/ignore-rules/:id',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Deactivate an ignore rule (its suppression count stays)',
        security: SECURITY,
        params: NumericIdParams,
        response: { 200: IgnoreRuleView, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const id = request.params.id;
      return audited(db, ctx, { action: 'ignore_rule.deactivated', resourceType: 'ignore_rule', resourceId: id }, async (tx) => {
        const changed = await deactivateIgnoreRule(tx, ctx.orgId, id);
        if (!changed) throw new NotFoundError(`no ignore rule ${id} in your organization`, { code: 'ignore_rule_not_found' });
        const [before, after] = [ignoreRuleView(changed.before), ignoreRuleView(changed.after)];
        return { resourceId: id, oldValues: { ...before }, newValues: { ...after }, result: after };
      });
    },
  );

  app.get(
    '/v1/recommendation-policy',
    {
      preHandler: READ,
      schema: {
        summary: 'The active recommendation policy override of the organization or an environment (null: the defaults apply)',
        security: SECURITY,
        querystring: PolicyQuery,
        response: { 200: PolicyAnswer, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const org = await organizationRow(db, callerOf(request).orgId);
      const found = await showRecommendationPolicy(db, { orgSlug: org.slug, envSlug: request.query.environment });
      return { policy: found === null ? null : policyView(found) };
    },
  );

  app.put(
    '/v1/recommendation-policy',
    {
      preHandler: ADMIN,
      schema: {
        summary: 'Store a new version of the recommendation policy override (validated like `dg policy set`)',
        security: SECURITY,
        body: SetPolicyBody,
        response: { 200: PolicyAnswer, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const { environment, document } = request.body;
      const org = await organizationRow(db, ctx.orgId);
      const spec = {
        action: 'recommendation_policy.set',
        resourceType: environment ? 'environment' : 'organization',
        attempted: { environment: environment ?? null },
      };
      const ref = await auditedBootstrap(db, ctx, spec, (tx, audit) =>
        setRecommendationPolicy(tx, { orgSlug: org.slug, envSlug: environment, document, createdBy: actorName(ctx) }, audit),
      );
      return { policy: policyView(ref) };
    },
  );
}
