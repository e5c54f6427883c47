import { z } from 'zod';
import { CauseCategory, DriftType, EstimatedEffort, IacTool, Priority, RecommendationType } from '../enums.js';
import { ChangeChannel, DriftAttribution } from '../events/drift.js';

/**
 * Recommendation policies: the data that maps an analysed drift to what to do about it. The
 * product ships defaults (services/recommender); an organization, and an environment within it,
 * may override them with a document of the same shape, stored versioned in
 * `recommendation_policies` and validated with {@link RecommendationPolicyDocument} wherever it is
 * written (api, CLI) or read (recommender).
 */

/** Where the drift sits against incidents and security events: none correlated, one still open, or all resolved. */
export const IncidentState = z.enum(['none', 'open', 'resolved']);
export type IncidentState = z.infer<typeof IncidentState>;

const PrincipalKind = DriftAttribution.shape.principalKind.unwrap();

/**
 * A glob over resource types or JSON pointers: `*` matches within one segment (no `/` or `.`
 * crossed for pointers, any characters for types), `**` matches anything.
 */
const Pattern = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[^\s]+$/, { error: 'must not contain whitespace' });

/** Conditions of a rule: all given fields must hold; a list matches when any of its entries does. */
export const PolicyMatch = z
  .object({
    causes: z.array(CauseCategory).min(1).optional(),
    /** the cause's confidence is at least this */
    minCauseConfidence: z.number().min(0).max(1).optional(),
    /** the cause's confidence is below this */
    maxCauseConfidence: z.number().min(0).max(1).optional(),
    minSeverity: z.number().min(0).max(1).optional(),
    securityCritical: z.boolean().optional(),
    /** any security rule hit is one of these */
    securityRuleIds: z.array(z.string().min(1)).min(1).optional(),
    production: z.boolean().optional(),
    /** the environment's tier tag is one of these */
    tiers: z.array(z.string().min(1)).min(1).optional(),
    resourceTypes: z.array(Pattern).min(1).optional(),
    driftTypes: z.array(DriftType).min(1).optional(),
    iacTools: z.array(IacTool).min(1).optional(),
    /** every changed property matches one of these JSON-pointer patterns (a drift with no changed property does not match) */
    changedPaths: z.array(Pattern).min(1).optional(),
    incident: z.array(IncidentState).min(1).optional(),
    /** the change happened inside a maintenance window or a deployment */
    changeWindow: z.boolean().optional(),
    principalKinds: z.array(PrincipalKind).min(1).optional(),
    channels: z.array(ChangeChannel).min(1).optional(),
  })
  .strict();
export type PolicyMatch = z.infer<typeof PolicyMatch>;

/** `30m`, `12h`, `7d`: how long a recommendation stays valid, at most 90 days. */
export const PolicyDuration = z
  .string()
  .regex(/^[1-9][0-9]{0,4}[mhd]$/, { error: 'must be a duration such as 30m, 12h or 7d' })
  // Judged only once the format holds, so a malformed duration gets one message.
  .refine((s) => !/^[0-9]+[mhd]$/.test(s) || durationMs(s) <= 90 * 24 * 3600_000, { error: 'must be at most 90d' });

/** Milliseconds of a {@link PolicyDuration}. */
export function durationMs(duration: string): number {
  const n = Number(duration.slice(0, -1));
  const unit = duration.slice(-1);
  return n * (unit === 'm' ? 60_000 : unit === 'h' ? 3600_000 : 24 * 3600_000);
}

/** What a matching rule decides. */
export const PolicyOutcome = z
  .object({
    recommendationType: RecommendationType,
    priority: Priority,
    estimatedEffort: EstimatedEffort,
    expiresIn: PolicyDuration,
    /**
     * auto_revert only: the revert may run without a person, so the recommender publishes
     * remediation.requested for an executor outside DriftGuard.
     */
    unattended: z.boolean().optional(),
  })
  .strict();
export type PolicyOutcome = z.infer<typeof PolicyOutcome>;

export const PolicyRule = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'must be lowercase letters, digits and hyphens (at most 63)' }),
    description: z.string().max(500).optional(),
    when: PolicyMatch,
    then: PolicyOutcome,
  })
  .strict()
  .superRefine((rule, ctx) => {
    const { when, then } = rule;
    if (then.unattended && then.recommendationType !== 'auto_revert') {
      ctx.addIssue({
        code: 'custom',
        path: ['then', 'unattended'],
        message: `only an auto_revert may run unattended, not ${then.recommendationType}`,
      });
    }
    if (then.recommendationType === 'auto_revert' && (when.driftTypes === undefined || when.driftTypes.includes('added'))) {
      ctx.addIssue({
        code: 'custom',
        path: ['when', 'driftTypes'],
        message: 'auto_revert cannot revert an unmanaged (added) resource: list driftTypes without "added"',
      });
    }
    if (
      when.minCauseConfidence !== undefined &&
      when.maxCauseConfidence !== undefined &&
      when.minCauseConfidence >= when.maxCauseConfidence
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['when', 'maxCauseConfidence'],
        message: 'must be greater than minCauseConfidence, or the rule never matches',
      });
    }
  });
export type PolicyRule = z.infer<typeof PolicyRule>;

/**
 * A policy document: rules tried in order, the first that matches decides. An override's rules
 * are tried before those of the level below it (environment, then organization, then the
 * product's defaults), so an override only needs the rules it changes.
 */
export const RecommendationPolicyDocument = z
  .object({
    rules: z.array(PolicyRule).min(1).max(200),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Map<string, number>();
    doc.rules.forEach((rule, i) => {
      const first = seen.get(rule.id);
      if (first !== undefined)
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `"${rule.id}" is already the id of rule ${first}` });
      else seen.set(rule.id, i);
    });
  });
export type RecommendationPolicyDocument = z.infer<typeof RecommendationPolicyDocument>;

/** Which level of policy decided a recommendation. */
export const PolicySource = z.enum(['default', 'organization', 'environment']);
export type PolicySource = z.infer<typeof PolicySource>;

/** A problem of a policy document, as the api and CLI report it: where (`rules.2.then.unattended`) and what. */
export interface PolicyProblem {
  path: string;
  message: string;
}

/** Validates a policy document; the problems name the path of each error. */
export function checkPolicyDocument(
  input: unknown,
): { ok: true; document: RecommendationPolicyDocument } | { ok: false; problems: PolicyProblem[] } {
  const r = RecommendationPolicyDocument.safeParse(input);
  if (r.success) return { ok: true, document: r.data };
  return {
    ok: false,
    problems: r.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(document)', message: issue.message })),
  };
}
