import { gzipSync } from 'node:zlib';
import { DeclaredUploadAnswer, Problem, ScanAccepted, ScanStatusBody, type SubmitScanQuery } from '@driftguard/contracts';
import type { z } from 'zod';

export interface PushTarget {
  /** Base URL of the ingest service, e.g. http://127.0.0.1:8081 */
  url: string;
  token: string;
}

/** A refused request: the server's problem document when it sent one. */
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

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function describeProblem(status: number, statusText: string, p: Problem): string {
  const errors = p.errors ?? [];
  const where =
    errors.length && !p.detail.includes(errors[0]!.message)
      ? ` (${errors.map((e) => `at ${e.path || '/'}: ${e.message}`).join('; ')})`
      : '';
  return `${status} ${p.title || statusText}: ${p.detail}${where}`.trim();
}

/** Calls the ingest service and parses the answer with its contract schema; a refusal becomes a PushError. */
async function call<T>(target: PushTarget, method: string, path: string, answer: z.ZodType<T>, body?: Buffer): Promise<T> {
  const enc = body ? encode(body) : undefined;
  let res: Response;
  try {
    res = await fetch(new URL(path, target.url), {
      method,
      headers: { authorization: `Bearer ${target.token}`, 'user-agent': USER_AGENT, ...(enc?.headers ?? {}) },
      ...(enc ? { body: enc.body } : {}),
    });
  } catch (err) {
    const cause =
      err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err instanceof Error ? err.message : err);
    throw new PushError(`cannot reach ${target.url}: ${cause}`);
  }
  const text = await res.text();
  const json = parseJson(text);
  if (!res.ok) {
    const problem = Problem.safeParse(json);
    if (problem.success) throw new PushError(describeProblem(res.status, res.statusText, problem.data), problem.data);
    throw new PushError(`${res.status} ${res.statusText}: ${text.slice(0, 500)}`.trim());
  }
  const parsed = answer.safeParse(json);
  if (!parsed.success)
    throw new PushError(
      `${method} ${path} answered ${res.status} with an unexpected body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '/'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export interface SubmitOptions {
  format: SubmitScanQuery['format'];
  full: boolean;
  env?: string;
  scanner?: string;
}

export async function submitScan(target: PushTarget, body: Buffer, o: SubmitOptions): Promise<ScanAccepted> {
  const q = new URLSearchParams({ format: o.format, full: String(o.full) });
  if (o.env) q.set('env', o.env);
  if (o.scanner) q.set('scanner', o.scanner);
  return call(target, 'POST', `/v1/scans?${q.toString()}`, ScanAccepted, body);
}

export type ScanStatus = ScanStatusBody;

export async function getScanStatus(target: PushTarget, scanId: string): Promise<ScanStatus> {
  return call(target, 'GET', `/v1/scans/${encodeURIComponent(scanId)}`, ScanStatusBody);
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

export async function uploadDeclared(
  target: PushTarget,
  repositoryId: number,
  body: Buffer,
  format?: string,
): Promise<DeclaredUploadAnswer> {
  const q = format ? `?format=${encodeURIComponent(format)}` : '';
  return call(target, 'PUT', `/v1/repositories/${repositoryId}/declared${q}`, DeclaredUploadAnswer, body);
}
