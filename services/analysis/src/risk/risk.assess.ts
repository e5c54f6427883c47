import type { DriftDetectedV1, Priority } from '@driftguard/contracts';
import { z } from 'zod';
import { propertyKind, resourceKind, type ResourceKind } from '../cause/resource-kinds.js';

/** One dimension of risk: a score in [0,1] and the reasons for it, in words. */
// Type aliases, not interfaces: they are JSON as events carry it.
export type RiskDimension = {
  score: number;
  reasons: string[];
};

export type RiskAssessment = {
  security: RiskDimension;
  performance: RiskDimension;
  cost: RiskDimension;
  compliance: RiskDimension;
  /** Facts the dimensions were weighed with. */
  production: boolean;
  resourceCriticality: number;
};

/** How much a drift of each kind of resource can hurt (databases and access control most). */
const CRITICALITY: Record<ResourceKind, number> = {
  iam: 1,
  security: 1,
  database: 0.9,
  network: 0.8,
  compute: 0.7,
  k8s_workload: 0.7,
  storage: 0.7,
  other: 0.5,
};

const round2 = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;

const Tags = z.record(z.string(), z.unknown());

/** Whether an environment is production, from its `tier` / `environment` tag, else its name. */
export function isProduction(env: { tags: unknown; name: string; slug: string }): boolean {
  const parsed = Tags.safeParse(env.tags);
  const tags = parsed.success ? Object.entries(parsed.data) : [];
  const tier = tags.find(([k]) => /^(tier|env|environment|stage)$/i.test(k))?.[1];
  if (typeof tier === 'string') return /^prod/i.test(tier);
  return /(^|[-_ ])prod(uction)?($|[-_ ])/i.test(env.name) || /(^|[-_])prod(uction)?($|[-_])/i.test(env.slug);
}

/**
 * Risk of one drift along security, performance, cost and compliance, each with its reasons:
 * the security rules its changes hit, what kind of property changed, the kind of resource, and
 * whether the environment is production.
 */
export function assessRisk(data: DriftDetectedV1['data'], production: boolean): RiskAssessment {
  const kind = resourceKind(data.resource.type);
  const props = data.changes.map((c) => ({ path: c.path, kind: propertyKind(c.path) }));
  const paths = (k: string) => props.filter((p) => p.kind === k).map((p) => p.path);
  const rules = [...new Set(data.changes.flatMap((c) => c.securityRuleIds))];
  const dim = (): RiskDimension => ({ score: 0.1, reasons: [] });
  const security = dim();
  const performance = dim();
  const cost = dim();
  const compliance = dim();
  const raise = (d: RiskDimension, score: number, reason: string) => {
    d.score = Math.max(d.score, score);
    d.reasons.push(reason);
  };

  if (rules.length > 0) raise(security, data.isSecurityCritical ? 0.9 : 0.6, `security rules hit: ${rules.join(', ')}`);
  if (paths('security').length > 0) raise(security, 0.5, `security properties changed: ${paths('security').join(', ')}`);
  if (kind === 'security' || kind === 'iam') raise(security, 0.4, `${data.resource.type} controls access`);
  const sized = [...paths('size'), ...paths('count')];
  if (sized.length > 0) {
    raise(performance, 0.6, `capacity changed: ${sized.join(', ')}`);
    raise(cost, 0.6, `billed capacity changed: ${sized.join(', ')}`);
  }
  if (data.driftType === 'added') raise(cost, 0.4, 'a resource exists that IaC does not declare');
  if (data.driftType === 'deleted') raise(performance, 0.7, 'a declared resource is gone');
  if (paths('logging').length > 0) raise(compliance, 0.5, `logging or monitoring changed: ${paths('logging').join(', ')}`);
  if (paths('tags').length > 0) raise(compliance, 0.3, `tags changed: ${paths('tags').join(', ')}`);
  if (rules.length > 0) raise(compliance, 0.5, 'the change breaks a security baseline');

  // Production and critical resource kinds weigh every dimension up; others down.
  const weight = (production ? 1 : 0.7) * (0.6 + 0.4 * CRITICALITY[kind]);
  for (const d of [security, performance, cost, compliance]) d.score = round2(d.score * weight);
  if (production) security.reasons.push('production environment');
  return { security, performance, cost, compliance, production, resourceCriticality: CRITICALITY[kind] };
}

/**
 * Severity in [0,1]: the worst dimension, raised a little by the size of the change (more
 * properties drifted, more to put right).
 */
export function severityOf(risk: RiskAssessment, changeCount: number): number {
  const worst = Math.max(risk.security.score, risk.performance.score, risk.cost.score, risk.compliance.score);
  return round2(worst + Math.min(0.1, 0.02 * Math.max(0, changeCount - 1)));
}

/** The priority an operator sees for a severity. */
export function priorityOf(severity: number): Priority {
  if (severity >= 0.8) return 'critical';
  if (severity >= 0.55) return 'high';
  if (severity >= 0.3) return 'medium';
  return 'low';
}
