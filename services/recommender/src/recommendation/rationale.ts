import type { DataOf } from '@driftguard/contracts';
import type { DriftView } from '../drift-view.js';
import type { PolicyDecision } from '../policy/policy.evaluate.js';
import type { PolicyFacts } from '../policy/policy-facts.js';

type Analyzed = DataOf<'drift.analyzed.v1'>;

const pct = (x: number) => `${Math.round(x * 100)}%`;
const words = (s: string) => s.replace(/_/g, ' ');

function listed(paths: readonly string[], max = 5): string {
  if (paths.length === 0) return '';
  const shown = paths.slice(0, max).join(', ');
  return paths.length > max ? `${shown} and ${paths.length - max} more` : shown;
}

function subject(view: DriftView): string {
  const r = view.resource;
  const name = r.address ?? r.physicalId ?? r.name ?? r.type;
  switch (view.driftType) {
    case 'modified':
      return `${name} (${r.type}) was changed outside its code: ${listed(view.changedPaths)}`;
    case 'deleted':
      return `${name} (${r.type}) is declared but no longer exists`;
    case 'added':
      return `${name} (${r.type}) runs but no code declares it`;
    case 'moved':
      return `${name} (${r.type}) is now declared under another address${view.previousAddress ? ` (was ${view.previousAddress})` : ''}`;
    default: {
      const never: never = view.driftType;
      return String(never);
    }
  }
}

/**
 * The reasons in plain words, each a piece of evidence: what drifted and when, the cause and
 * how sure analysis is, who changed it and through what, the incidents, windows and commits
 * around it, the security rules hit, and which policy rule decided.
 */
export function rationaleOf(data: Analyzed, view: DriftView, facts: PolicyFacts, decision: PolicyDecision): string {
  const parts: string[] = [];
  const when = view.observedAt ? ` (observed ${view.observedAt})` : '';
  parts.push(`${subject(view)}${when}.`);
  const method = data.causeDetail?.rule
    ? ` by rule ${data.causeDetail.rule}`
    : data.causeDetail?.modelVersion
      ? ` by model ${data.causeDetail.modelVersion}`
      : '';
  const evidence = data.causeDetail?.evidence.slice(0, 2) ?? [];
  parts.push(
    `Probable cause: ${words(data.cause.category)}, ${pct(data.cause.confidence)} confidence${method}${evidence.length ? ` (${evidence.join('; ')})` : ''}.`,
  );
  const a = data.attribution;
  if (a) {
    const via = a.channel && a.channel !== 'unknown' ? ` via ${a.channel}` : a.userAgent ? ` with ${a.userAgent}` : '';
    parts.push(`Changed by ${a.principal}${via}, per ${a.source} record ${a.sourceId}${a.link ? ` (${a.link})` : ''}.`);
  } else parts.push('No audit record names who made the change.');
  for (const c of (data.correlated ?? []).filter((s) => s.kind === 'incident' || s.kind === 'security_event').slice(0, 2)) {
    const status = c.status === 'open' ? 'still open' : c.status === 'resolved' ? 'now resolved' : 'status unknown';
    parts.push(
      `${c.kind === 'incident' ? 'Incident' : 'Security event'} ${c.sourceId}${c.severity ? ` (${c.severity})` : ''} from ${c.source}${c.summary ? `, "${c.summary}"` : ''}, ${status}.`,
    );
  }
  const commit = (data.correlated ?? []).find((s) => s.kind === 'git_commit');
  if (commit)
    parts.push(
      `Nearest commit: ${commit.sourceId}${commit.summary ? ` "${commit.summary}"` : ''}${commit.actor ? ` by ${commit.actor}` : ''}.`,
    );
  if (facts.changeWindow) parts.push('The change fell inside a maintenance window or deployment.');
  if (facts.securityRuleIds.length > 0) parts.push(`Security rules hit: ${facts.securityRuleIds.join(', ')}.`);
  else if (facts.securityCritical) parts.push('The change is security-critical.');
  const env = data.drift?.environment;
  if (env) parts.push(`Environment ${env.name}${facts.production ? ' (production)' : facts.tier ? ` (${facts.tier})` : ''}.`);
  const { rule, source, version } = decision;
  const policy = source === 'default' ? 'default policy' : `${source} policy v${version}`;
  parts.push(`Policy rule ${rule.id} of the ${policy}${rule.description ? `: ${rule.description}` : ''}.`);
  return parts.join(' ');
}
