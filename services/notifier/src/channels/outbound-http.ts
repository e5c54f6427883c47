import {
  createOutboundGuard,
  OutboundRefusedError,
  type OutboundAllowList,
  type OutboundGuard,
  type OutboundLookup,
} from '@driftguard/runtime';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';

/** Every provider request gives up after this long (Standard Webhooks asks for 15–30 s). */
export const CHANNEL_TIMEOUT_MS = 15_000;

export interface ChannelNetworkOptions {
  /** `DG_OUTBOUND_ALLOW`: the exceptions to the guard (loopback for tests, an internal relay) */
  allow?: OutboundAllowList;
  /** resolves names (default: the system resolver); tests map names to chosen addresses */
  lookup?: OutboundLookup;
  timeoutMs?: number;
}

/** How channels reach providers: a guarded `fetch` for HTTP, the guard itself for SMTP. */
export interface ChannelNetwork {
  fetch: typeof fetch;
  guard: OutboundGuard;
  close(): Promise<void>;
}

/**
 * The one way notification channels reach the outside. Names are resolved and every address
 * checked when a connection is opened (undici's `connect.lookup`), so an address that changes
 * between a check and the connection (DNS rebinding) is still refused; IP literals, which skip
 * the lookup, are checked before the request. Redirects are never followed: a 3xx comes back
 * as the response and the adapters report it. Each request is cut off after 15 s.
 */
export function createChannelNetwork(options: ChannelNetworkOptions = {}): ChannelNetwork {
  const guard = createOutboundGuard({
    ...(options.allow ? { allow: options.allow } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  const timeoutMs = options.timeoutMs ?? CHANNEL_TIMEOUT_MS;
  const agent = new Agent({
    connect: { lookup: guard.lookup, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });

  const guardedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    // A Request object's method, headers and body would be lost below; channels pass a URL and init.
    if (typeof input !== 'string' && !(input instanceof URL))
      throw new TypeError('channel requests take a URL and an init object');
    const url = typeof input === 'string' ? input : input.href;
    guard.checkUrl(url, { schemes: ['https', 'http'] });
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const request: UndiciRequestInit = {
      method: init?.method ?? 'GET',
      headers: toHeaderRecord(init?.headers),
      body: requestBody(init?.body),
      redirect: 'manual',
      signal,
      dispatcher: agent,
    };
    const res = await undiciFetch(url, request);
    // Handed on as the platform's Response, which is what SendContext promises.
    const body = NULL_BODY_STATUSES.has(res.status) ? null : await res.arrayBuffer();
    return new Response(body, { status: res.status, statusText: res.statusText, headers: [...res.headers] });
  };

  let closing: Promise<void> | undefined;
  return {
    fetch: guardedFetch,
    guard,
    close: () => (closing ??= agent.close()),
  };
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Adapters send text (JSON); anything else is a programming error, not something to drop silently. */
function requestBody(body: RequestInit['body']): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  throw new TypeError('channel requests send text bodies only');
}

function toHeaderRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** The outbound refusal behind a failed request (fetch wraps connect errors in `cause`), if that is what it was. */
export function outboundRefusal(err: unknown): OutboundRefusedError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof OutboundRefusedError) return e;
  }
  return undefined;
}
