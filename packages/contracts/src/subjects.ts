import { catalog, type EventKey, type StreamKey } from './catalog.js';

/** Default first token of every subject; tests use their own root to isolate streams. */
export const DEFAULT_SUBJECT_ROOT = 'dg';

const TOKEN = /^[A-Za-z0-9_-]+$/;

function assertRoot(root: string): void {
  if (!TOKEN.test(root)) throw new Error(`invalid subject root "${root}"`);
}

/** `dg.<domain>.<event>.v<N>.<orgId>.<envId>`, the only way subjects are built. */
export function subjectFor(key: EventKey, orgId: number, envId: number, root = DEFAULT_SUBJECT_ROOT): string {
  assertRoot(root);
  if (!Number.isInteger(orgId) || orgId <= 0) throw new Error(`invalid orgId ${orgId}`);
  if (!Number.isInteger(envId) || envId <= 0) throw new Error(`invalid envId ${envId}`);
  const e = catalog[key];
  return `${root}.${e.type}.v${e.version}.${orgId}.${envId}`;
}

/** Filter matching one event type for every tenant, or one organization's when `orgId` is given. */
export function subjectFilter(key: EventKey, root = DEFAULT_SUBJECT_ROOT, orgId?: number): string {
  assertRoot(root);
  const e = catalog[key];
  return `${root}.${e.type}.v${e.version}.${orgId ?? '*'}.*`;
}

/** Subjects captured by a stream: every domain that maps to it. */
export function streamSubjects(stream: StreamKey, root = DEFAULT_SUBJECT_ROOT): string[] {
  assertRoot(root);
  const domains = new Set<string>();
  for (const e of Object.values(catalog)) if (e.stream === stream) domains.add(e.type.split('.')[0]!);
  return [...domains].map((d) => `${root}.${d}.>`);
}

/** Dead-letter subject of a service: `dg.dlq.<service>`. */
export function dlqSubject(service: string, root = DEFAULT_SUBJECT_ROOT): string {
  assertRoot(root);
  if (!TOKEN.test(service)) throw new Error(`invalid service name "${service}"`);
  return `${root}.dlq.${service}`;
}

/** Parses a subject back into its parts; undefined when it is not a DriftGuard event subject. */
export function parseSubject(subject: string): { root: string; key: EventKey; orgId: number; envId: number } | undefined {
  const parts = subject.split('.');
  if (parts.length < 6) return undefined;
  const [root, ...rest] = parts;
  const envId = Number(rest.pop());
  const orgId = Number(rest.pop());
  const key = rest.join('.') as EventKey;
  if (!(key in catalog) || !Number.isInteger(orgId) || !Number.isInteger(envId)) return undefined;
  return { root: root!, key, orgId, envId };
}
