import { z } from 'zod';

/** An audit.k8s.io/v1 `Event`, as the API server's webhook or log backend writes it. */
export const KubernetesAuditEvent = z.looseObject({
  kind: z.literal('Event').optional(),
  apiVersion: z.literal('audit.k8s.io/v1').optional(),
  auditID: z.string().min(1),
  stage: z.string().optional(),
  level: z.string().optional(),
  verb: z.string().min(1),
  requestURI: z.string().optional(),
  user: z.looseObject({ username: z.string().min(1), groups: z.array(z.string()).optional() }),
  impersonatedUser: z.looseObject({ username: z.string().optional() }).nullish(),
  sourceIPs: z.array(z.string()).optional(),
  userAgent: z.string().optional(),
  objectRef: z
    .looseObject({
      resource: z.string().optional(),
      namespace: z.string().optional(),
      name: z.string().optional(),
      apiGroup: z.string().optional(),
      apiVersion: z.string().optional(),
      subresource: z.string().optional(),
    })
    .optional(),
  responseStatus: z.looseObject({ code: z.number().int().optional() }).optional(),
  requestReceivedTimestamp: z.iso.datetime({ offset: true }),
  stageTimestamp: z.iso.datetime({ offset: true }).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type KubernetesAuditEvent = z.infer<typeof KubernetesAuditEvent>;

/** An audit.k8s.io/v1 `EventList` (the webhook backend batches events this way). */
export const KubernetesAuditEventList = z.looseObject({
  kind: z.literal('EventList'),
  apiVersion: z.literal('audit.k8s.io/v1'),
  items: z.array(z.unknown()),
});
