import { z } from 'zod';

const Labels = z.record(z.string(), z.string());

/** One alert of an Alertmanager webhook (`endsAt` is `0001-01-01T00:00:00Z` while it fires). */
export const AlertmanagerAlert = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: Labels,
  annotations: Labels.default({}),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }).optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1),
});
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlert>;

/** Alertmanager's webhook payload, version 4. */
export const AlertmanagerWebhook = z.looseObject({
  version: z.literal('4'),
  groupKey: z.string().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  externalURL: z.string().optional(),
  alerts: z.array(AlertmanagerAlert),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;
