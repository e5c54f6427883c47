import type { Priority } from '@driftguard/contracts';
import type { Alert, AlertItem } from './channel.js';

/** What every channel says about one alert, in plain words; each adapter lays it out its own way. */

export const TEST_MESSAGE = 'DriftGuard test message';

const PRIORITY_WORD: Record<Priority, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW' };

export function priorityWord(p: Priority): string {
  return PRIORITY_WORD[p];
}

/** The resource as an engineer knows it: its address, else type and name. */
export function resourceLabel(item: AlertItem): string {
  const r = item.drift.resource;
  return r.address ?? [r.type, r.namespace, r.name ?? r.physicalId].filter((s) => s !== undefined && s !== '').join('/');
}

/** A value for one line of a message: JSON, shortened. Masked values arrive as `(sensitive)` and stay so. */
export function formatValue(value: unknown, max = 120): string {
  if (value === undefined) return '(absent)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface ChangeLine {
  path: string;
  declared: string;
  actual: string;
  securityCritical: boolean;
}

/** The changes to show, security-critical ones first, at most `limit`; `omitted` counts the rest. */
export function topChanges(item: AlertItem, limit: number): { lines: ChangeLine[]; omitted: number } {
  const changes = item.drift.changes ?? [];
  const ordered = [...changes].sort((a, b) => Number(b.securityRuleIds.length > 0) - Number(a.securityRuleIds.length > 0));
  const lines = ordered.slice(0, limit).map((c) => ({
    path: c.path,
    declared: formatValue(c.declared),
    actual: formatValue(c.actual),
    securityCritical: c.securityRuleIds.length > 0,
  }));
  // Paths without values (older publishers) still say what changed.
  if (changes.length === 0) {
    for (const path of item.drift.changedPaths.slice(0, limit))
      lines.push({ path, declared: '?', actual: '?', securityCritical: false });
  }
  // changesTruncated.total counts the changes the event could not carry too.
  const known = changes.length > 0 ? (item.drift.changesTruncated?.total ?? changes.length) : item.drift.changedPaths.length;
  return { lines, omitted: Math.max(0, known - lines.length) };
}

/** "misconfiguration (confidence 82%)". */
export function causeLine(item: AlertItem): string | undefined {
  if (!item.cause) return item.analysisPending ? 'cause: analysis pending' : undefined;
  return `${item.cause.category.replace(/_/g, ' ')} (confidence ${Math.round(item.cause.confidence * 100)}%)`;
}

export interface EvidenceLine {
  text: string;
  link?: string;
}

/** Who made the change and what it correlates with (incidents, commits, deployments), links kept. */
export function evidenceLines(item: AlertItem, limit: number): EvidenceLine[] {
  const out: EvidenceLine[] = [];
  const a = item.attribution;
  if (a) {
    const via = a.channel && a.channel !== 'unknown' ? ` via ${a.channel}` : '';
    const pipeline = a.isIacPipeline ? ' (the IaC pipeline)' : '';
    out.push({ text: `changed by ${a.principal}${via}${pipeline}`, ...(a.link ? { link: a.link } : {}) });
  }
  for (const s of item.correlated ?? []) {
    const what = s.kind.replace(/_/g, ' ');
    const status = s.status ? `, ${s.status}` : '';
    const summary = s.summary ? `: ${s.summary}` : '';
    out.push({ text: `${what} ${s.sourceId}${status}${summary}`, ...(s.link ? { link: s.link } : {}) });
  }
  for (const e of item.cause?.evidence ?? []) out.push({ text: e });
  return out.slice(0, limit);
}

/** The recommendation in one line and its first steps. */
export function recommendationLines(item: AlertItem, steps: number): { headline: string; steps: string[] } | undefined {
  const r = item.recommendation;
  if (!r) return undefined;
  return {
    headline: `${r.type.replace(/_/g, ' ')}: ${r.rationale}`,
    steps: r.steps.slice(0, steps).map((s, i) => `${i + 1}. ${s.title}${s.command ? ` — \`${s.command}\`` : ''}`),
  };
}

/** What the action does to the message, for a heading. */
export function actionLabel(alert: Alert): string {
  switch (alert.action) {
    case 'trigger':
      return '';
    case 'update':
      return 'Updated: ';
    case 'resolve':
      return 'Resolved: ';
    case 'reminder':
      return 'Reminder: ';
    case 'test':
      return 'Test: ';
    default: {
      const unknown: never = alert.action;
      return String(unknown);
    }
  }
}

/** Plain text of the whole alert: the Slack fallback, the email's text part. */
export function plainText(alert: Alert, maxItems = 20): string {
  if (alert.action === 'test') return `${TEST_MESSAGE}: this channel is set up (${alert.environment.name}).`;
  const lines = [`${actionLabel(alert)}${alert.title}`];
  for (const item of alert.items.slice(0, maxItems)) {
    lines.push(
      '',
      `[${priorityWord(item.priority)}] ${resourceLabel(item)} (${item.drift.driftType})${item.resolvedAt ? ' resolved' : ''}`,
    );
    const { lines: changes, omitted } = topChanges(item, 5);
    for (const c of changes) lines.push(`  ${c.securityCritical ? '[security] ' : ''}${c.path}: ${c.declared} -> ${c.actual}`);
    if (omitted > 0) lines.push(`  … ${omitted} more changed properties`);
    const cause = causeLine(item);
    if (cause) lines.push(`  cause: ${cause}`);
    for (const e of evidenceLines(item, 3)) lines.push(`    - ${e.text}${e.link ? ` (${e.link})` : ''}`);
    const rec = recommendationLines(item, 3);
    if (rec) lines.push(`  recommendation: ${rec.headline}`, ...rec.steps.map((s) => `    ${s}`));
    lines.push(`  ${item.consoleUrl}`);
  }
  const left = alert.total - Math.min(alert.items.length, maxItems);
  if (left > 0) lines.push('', `… and ${left} more drifts not shown`);
  lines.push('', `Open in DriftGuard: ${alert.consoleUrl}`);
  return lines.join('\n');
}
