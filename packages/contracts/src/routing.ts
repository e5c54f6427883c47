import { z } from 'zod';
import { CauseCategory, RecommendationType } from './enums.js';

/**
 * The conditions of a routing rule beyond its environment and minimum priority
 * (`routing_rules.match`), written by `dg route add` and read by the notifier. Every condition
 * given must hold; an absent one matches everything.
 */
export const RoutingMatch = z.object({
  /** lowest severity score (0–1) the rule takes */
  minSeverity: z.number().min(0).max(1).optional(),
  /** resource types (`aws_security_group`, `apps/v1/Deployment`); `*` at the end matches a prefix */
  resourceTypes: z.array(z.string().min(1)).min(1).optional(),
  securityCritical: z.boolean().optional(),
  causes: z.array(CauseCategory).min(1).optional(),
  recommendationTypes: z.array(RecommendationType).min(1).optional(),
});
export type RoutingMatch = z.infer<typeof RoutingMatch>;
