import type { StoredItem } from '../alert/stored-item.js';

/** The labels silences and routing rules match a drift on (Alertmanager's alert labels). */
export type DriftLabels = Readonly<Record<string, string>>;

export function labelsOf(item: StoredItem, environmentId: number): DriftLabels {
  const env = item.environment;
  return {
    driftEventId: String(item.driftEventId),
    environmentId: String(environmentId),
    ...(env ? { environment: env.slug, environmentName: env.name } : {}),
    priority: item.priority,
    severity: item.severityScore === null ? '' : item.severityScore.toFixed(2),
    resourceType: item.drift.resource.type,
    resourceAddress: item.drift.resource.address ?? '',
    driftType: item.drift.driftType,
    securityCritical: String(item.isSecurityCritical),
    cause: item.cause?.category ?? '',
    recommendationType: item.recommendation?.type ?? '',
  };
}
