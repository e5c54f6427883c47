import { gzipSync } from 'node:zlib';

export interface PushTarget {
  /** Base URL of the ingest service, e.g. http://127.0.0.1:8081 */
  url: string;
  token: string;
}

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    message: string,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

const USER_AGENT = 'dg-cli/0.1';
/** Bodies past this size travel gzip-compressed. */
const GZIP_FROM = 256 * 1024;

function encode(body: Buffer): { body: Buffer; headers: Record<string, string> } {
  const isGzip = body[0] === 0x1f && body[1] === 0x8b;
  if (isGzip || body.length < GZIP_FROM) return { body, headers: { 'content-type': 'application/octet-stream' } };
  return { body: gzipSync(body), headers: { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' } };
}

async function call(target: PushTarget, method: string, path: string, body?: Buffer): Promise<unknown> {
  const enc = body ? encode(body) : undefined;
  let res: Response;
  try {
    res = await fetch(new URL(path, target.url), {
      method,
      headers: { authorization: `Bearer ${target.token}`, 'user-agent': USER_AGENT, ...(enc?.headers ?? {}) },
      ...(enc ? { body: enc.body } : {}),
    });
  } catch (err) {
    throw new PushError(`cannot reach ${target.url}: ${(err as Error).cause ? String((err as Error & { cause: Error }).cause.message) : (err as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const p = (json ?? { status: res.status, detail: text.slice(0, 500) }) as Problem;
    const where = p.errors?.length ? ` (${p.errors.map((e) => `at ${e.path || '/'}: ${e.message}`).join('; ')})` : '';
    throw new PushError(`${res.status} ${p.title ?? res.statusText}: ${p.detail ?? ''}${p.errors?.length && !p.detail?.includes(p.errors[0]!.message) ? where : ''}`.trim(), { ...p, status: res.status });
  }
  return json;
}

export interface SubmitOptions {
  format: string;
  full: boolean;
  env?: string;
  scanner?: string;
}

export async function submitScan(target: PushTarget, body: Buffer, o: SubmitOptions): Promise<{ scanId: string }> {
  const q = new URLSearchParams({ format: o.format, full: String(o.full) });
  if (o.env) q.set('env', o.env);
  if (o.scanner) q.set('scanner', o.scanner);
  return (await call(target, 'POST', `/v1/scans?${q}`, body)) as { scanId: string };
}

export interface ScanStatus {
  id: string;
  status: 'accepted' | 'processing' | 'completed' | 'rejected' | 'failed';
  counts: { resourcesSeen: number; driftsOpened: number; driftsUpdated: number; driftsResolved: number };
  rejected: { path: string; reason: string }[];
  error: { message?: string; path?: string } | null;
}

export async function getScanStatus(target: PushTarget, scanId: string): Promise<ScanStatus> {
  return (await call(target, 'GET', `/v1/scans/${encodeURIComponent(scanId)}`)) as ScanStatus;
}

/** Polls until the scan is finished (completed, rejected or failed) or the timeout passes. */
export async function waitForScan(target: PushTarget, scanId: string, timeoutMs: number, intervalMs = 500): Promise<ScanStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await getScanStatus(target, scanId);
    if (s.status === 'completed' || s.status === 'rejected' || s.status === 'failed') return s;
    if (Date.now() > deadline) throw new PushError(`scan ${scanId} still ${s.status} after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function uploadDeclared(target: PushTarget, repositoryId: number, body: Buffer, format?: string): Promise<Record<string, unknown>> {
  const q = format ? `?format=${encodeURIComponent(format)}` : '';
  return (await call(target, 'PUT', `/v1/repositories/${repositoryId}/declared${q}`, body)) as Record<string, unknown>;
}
