import type { ContextKind, ResourceIdentity } from '@driftguard/contracts';
import type { ContextSignal } from '@driftguard/db';
import { z } from 'zod';

/** How a signal was tied to a drift, strongest first. */
export type MatchKind = 'resource' | 'declaring_file' | 'environment';

/** Signals that concern the whole environment even when they name no resource. */
const ENVIRONMENT_WIDE: readonly ContextKind[] = ['incident', 'alert', 'deployment', 'maintenance', 'security_event'];

const Refs = z.array(z.string());

/** The names a scanner gave the drifted resource that a signal may quote. */
function resourceNames(resource: ResourceIdentity): { inRefs: string[]; inBody: string[] } {
  // Short names ("web", "db") appear in unrelated text: only distinctive ones are searched for.
  const distinctive = (names: (string | undefined)[]) => names.filter((n): n is string => n !== undefined && n.length >= 6);
  const qualified = resource.namespace && resource.name ? `${resource.namespace}/${resource.name}` : undefined;
  const inBody = distinctive([resource.physicalId, resource.address, qualified]);
  // A bare name counts only where the signal lists it as a resource it concerns.
  return { inRefs: [...inBody, ...distinctive([resource.name])], inBody };
}

/** A reference names the resource when it is the name, or an ARN / object path ending in it. */
function refNames(ref: string, name: string): boolean {
  if (ref === name) return true;
  return ref.endsWith(`/${name}`) || ref.endsWith(`:${name}`);
}

/**
 * How `signal` relates to the drifted resource, or null when it does not: it names the resource
 * (physical id, ARN, address, Kubernetes namespace/name) in its references or its body; a commit
 * changed the file declaring it; or it concerns the whole environment.
 */
export function matchSignal(signal: ContextSignal, resource: ResourceIdentity): MatchKind | null {
  const refs = Refs.safeParse(signal.resource_refs);
  const list = refs.success ? refs.data : [];
  const names = resourceNames(resource);
  if (names.inRefs.some((n) => list.some((r) => refNames(r, n)))) return 'resource';
  // CloudTrail names an instance in its request parameters more often than in `resources`.
  const body = JSON.stringify(signal.data);
  if (names.inBody.some((n) => body.includes(JSON.stringify(n)))) return 'resource';
  const kind = signal.context_type;
  if (kind === 'git_commit' && resource.source && list.some((f) => f === resource.source || resource.source!.endsWith(`/${f}`))) {
    return 'declaring_file';
  }
  if ((ENVIRONMENT_WIDE as readonly string[]).includes(kind)) return 'environment';
  return null;
}

const BASE: Record<MatchKind, number> = { resource: 0.9, declaring_file: 0.8, environment: 0.5 };
/** A signal this long before the change counts half as much as one at the same moment. */
const HALF_LIFE_MS = 6 * 3600_000;

/** Correlation score in [0,1]: the match kind's weight, decaying with the distance in time. */
export function correlationScore(match: MatchKind, offsetMs: number): number {
  const proximity = Math.pow(0.5, Math.abs(offsetMs) / HALF_LIFE_MS);
  return Math.round(BASE[match] * (0.5 + 0.5 * proximity) * 100) / 100;
}
