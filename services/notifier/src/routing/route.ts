import type { StoredItem } from '../alert/stored-item.js';
import { priorityRank } from '../alert/stored-item.js';
import type { ChannelRow, RuleRow } from './routing-rules.queries.js';

function typeMatches(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? type.startsWith(p.slice(0, -1)) : p === type));
}

/** Whether one rule takes a drift of environment `environmentId`. */
export function ruleMatches(rule: RuleRow, item: StoredItem, environmentId: number): boolean {
  const m = rule.match;
  if (rule.environmentId !== null && rule.environmentId !== environmentId) return false;
  if (priorityRank(item.priority) < priorityRank(rule.minPriority)) return false;
  // A drift whose analysis is pending has no score, cause or recommendation yet: conditions on
  // them do not hold, so it reaches the rules that ask for none (and the defaults).
  if (m.minSeverity !== undefined && (item.severityScore ?? -1) < m.minSeverity) return false;
  if (m.resourceTypes && !typeMatches(m.resourceTypes, item.drift.resource.type)) return false;
  if (m.securityCritical !== undefined && m.securityCritical !== item.isSecurityCritical) return false;
  if (m.causes && !(item.cause && m.causes.includes(item.cause.category))) return false;
  if (m.recommendationTypes && !(item.recommendation && m.recommendationTypes.includes(item.recommendation.type))) return false;
  return true;
}

/** The organization's default channels: the active ones flagged default, or every active one when none is. */
export function defaultChannels(channels: readonly ChannelRow[]): ChannelRow[] {
  const active = channels.filter((c) => c.isActive);
  const flagged = active.filter((c) => c.isDefault);
  return flagged.length > 0 ? flagged : active;
}

/**
 * Alertmanager's routing walk: rules in order, the first match stops the walk unless it says
 * `continue`; a drift no rule takes goes to the default channels. Inactive channels receive nothing.
 */
export function routeItem(
  item: StoredItem,
  environmentId: number,
  rules: readonly RuleRow[],
  channels: readonly ChannelRow[],
): ChannelRow[] {
  const byId = new Map(channels.map((c) => [c.id, c]));
  const picked = new Map<number, ChannelRow>();
  let matched = false;
  for (const rule of rules) {
    if (!ruleMatches(rule, item, environmentId)) continue;
    matched = true;
    const channel = byId.get(rule.channelId);
    if (channel?.isActive) picked.set(channel.id, channel);
    if (!rule.continue) break;
  }
  if (!matched) for (const c of defaultChannels(channels)) picked.set(c.id, c);
  return [...picked.values()];
}
