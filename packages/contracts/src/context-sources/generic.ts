import { z } from 'zod';

/**
 * A deployment, maintenance window or incident from a CD system or ticketing tool, in
 * DriftGuard's documented shape: `POST /v1/context/deployment|maintenance|incident` with one
 * such object or an array of them. `id` is the sender's id (a redelivery with the same id is
 * published once); `service` or `environment` names what it concerns.
 */
export const GenericContextSignal = z
  .object({
    id: z.string().min(1).max(200),
    title: z.string().min(1).max(500),
    service: z.string().min(1).max(255).optional(),
    environment: z.string().min(1).max(255).optional(),
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }).nullish(),
    actor: z.string().max(255).optional(),
    severity: z.enum(['critical', 'high', 'medium', 'low', 'info']).optional(),
    status: z.string().max(50).optional(),
    url: z.string().max(2000).optional(),
    /** Physical ids or IaC addresses the signal touches. */
    resources: z.array(z.string().max(500)).max(500).optional(),
    /** The sending system, e.g. `argocd`, `jira`; defaults to the source. */
    system: z.string().min(1).max(50).optional(),
  })
  .refine((s) => s.service !== undefined || s.environment !== undefined, {
    error: 'name a service or an environment',
    path: ['service'],
  });
export type GenericContextSignal = z.infer<typeof GenericContextSignal>;
