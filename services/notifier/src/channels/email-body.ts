import type { Alert, AlertItem } from './channel.js';
import {
  actionLabel,
  causeLine,
  evidenceLines,
  plainText,
  priorityWord,
  recommendationLines,
  resourceLabel,
  TEST_MESSAGE,
  topChanges,
} from './alert-text.js';

/** Drifts listed in one email; the rest are counted and linked. */
const MAX_ITEMS = 25;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const a = (href: string, text: string) =>
  /^https?:\/\//.test(href) ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text);

function itemHtml(item: AlertItem): string {
  const parts: string[] = [];
  const flags = [item.isSecurityCritical ? '<strong>security-critical</strong>' : '', item.resolvedAt ? 'resolved' : '']
    .filter(Boolean)
    .join(', ');
  parts.push(
    `<h3>[${priorityWord(item.priority)}] ${a(item.consoleUrl, resourceLabel(item))} — ${escapeHtml(item.drift.driftType)}${flags ? ` (${flags})` : ''}</h3>`,
  );
  const { lines, omitted } = topChanges(item, 8);
  if (lines.length > 0) {
    parts.push('<table><tr><th align="left">property</th><th align="left">declared</th><th align="left">actual</th></tr>');
    for (const c of lines)
      parts.push(
        `<tr><td><code>${escapeHtml(c.path)}</code>${c.securityCritical ? ' 🔒' : ''}</td><td><code>${escapeHtml(c.declared)}</code></td><td><code>${escapeHtml(c.actual)}</code></td></tr>`,
      );
    parts.push('</table>');
    if (omitted > 0) parts.push(`<p>… ${omitted} more changed properties</p>`);
  }
  const cause = causeLine(item);
  if (cause) parts.push(`<p><strong>Cause:</strong> ${escapeHtml(cause)}</p>`);
  const evidence = evidenceLines(item, 5);
  if (evidence.length > 0)
    parts.push(`<ul>${evidence.map((e) => `<li>${e.link ? a(e.link, e.text) : escapeHtml(e.text)}</li>`).join('')}</ul>`);
  const rec = recommendationLines(item, 5);
  if (rec)
    parts.push(
      `<p><strong>Recommendation:</strong> ${escapeHtml(rec.headline)}</p><ol>${rec.steps.map((s) => `<li>${escapeHtml(s.replace(/^\d+\. /, ''))}</li>`).join('')}</ol>`,
    );
  return parts.join('\n');
}

/** Subject, HTML and plain-text parts of an alert email. */
export function emailBody(alert: Alert): { subject: string; html: string; text: string } {
  if (alert.action === 'test') {
    return {
      subject: `[DriftGuard] ${TEST_MESSAGE}`,
      text: plainText(alert),
      html: `<p>${escapeHtml(TEST_MESSAGE)}: this channel is set up for <strong>${escapeHtml(alert.environment.name)}</strong>.</p>`,
    };
  }
  const shown = alert.items.slice(0, MAX_ITEMS);
  const left = alert.total - shown.length;
  const html = [
    '<!doctype html><html><body>',
    `<h2>${escapeHtml(actionLabel(alert) + alert.title)}</h2>`,
    `<p>Environment <strong>${escapeHtml(alert.environment.name)}</strong>${alert.environment.production ? ' (production)' : ''} · ${escapeHtml(priorityWord(alert.priority))} · ${alert.total} drift${alert.total === 1 ? '' : 's'}</p>`,
    ...shown.map(itemHtml),
    left > 0 ? `<p>… and ${left} more drifts not shown.</p>` : '',
    `<p>${a(alert.consoleUrl, 'Open in DriftGuard')}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: `[DriftGuard] ${actionLabel(alert)}${alert.title}`.slice(0, 250), html, text: plainText(alert, MAX_ITEMS) };
}
