import { Priority } from '@driftguard/contracts';
import { z } from 'zod';
import { bySeverity, StoredItem } from './stored-item.js';

/** How many drifts one message lists; the rest are counted. */
export const MAX_LISTED_ITEMS = 10;

/**
 * What a notification row says (`notifications.metadata.alert`), fixed when the row is written
 * so every attempt, on any instance, sends the same message.
 */
export const AlertPayload = z.object({
  environment: z.object({ id: z.number().int(), name: z.string(), production: z.boolean() }),
  groupId: z.number().int().nullable(),
  priority: Priority,
  title: z.string(),
  total: z.number().int().nonnegative(),
  items: z.array(StoredItem.extend({ resolvedAt: z.iso.datetime({ offset: true }).optional() })),
});
export type AlertPayload = z.infer<typeof AlertPayload>;

export type AlertAction = 'trigger' | 'update' | 'resolve' | 'reminder' | 'test';

function resourceName(item: StoredItem): string {
  const r = item.drift.resource;
  return r.address ?? r.name ?? r.physicalId ?? r.type;
}

/** One line: severity, environment and resource, or the count for a group. */
export function alertTitle(action: AlertAction, envName: string, items: readonly StoredItem[], total: number): string {
  const top = [...items].sort(bySeverity)[0];
  const level = (top?.priority ?? 'low').toUpperCase();
  const pending = items.some((i) => i.analysisPending) ? ' (analysis pending)' : '';
  const what =
    total === 1 && top
      ? `${top.isSecurityCritical ? 'security-critical ' : ''}${top.drift.driftType} drift of ${resourceName(top)} in ${envName}`
      : `${total} drifts in ${envName}${items.some((i) => i.isSecurityCritical) ? ', security-critical among them' : ''}`;
  if (action === 'resolve') return `Resolved: ${what}`;
  if (action === 'reminder') return `[${level}] Still open: ${what}${pending}`;
  return `[${level}] ${what}${pending}`;
}

/** The payload of one message: the most severe items listed, all of them counted. */
export function buildPayload(
  action: AlertAction,
  env: { id: number; name: string; production: boolean },
  groupId: number | null,
  items: readonly (StoredItem & { resolvedAt?: string })[],
): AlertPayload {
  const sorted = [...items].sort(bySeverity);
  const top = sorted[0];
  return {
    environment: env,
    groupId,
    priority: top?.priority ?? 'low',
    title: alertTitle(action, env.name, sorted, sorted.length).slice(0, 500),
    total: sorted.length,
    items: sorted.slice(0, MAX_LISTED_ITEMS),
  };
}
