import type { SendResult } from './channel.js';
import { outboundRefusal } from './outbound-http.js';

export type SendFailure = Extract<SendResult, { ok: false }>;

/**
 * Milliseconds to wait from a Retry-After header: delay-seconds or an HTTP date (RFC 9110
 * §10.2.3); undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * An HTTP answer that is not a success: 429 and 5xx are retried (429 with its Retry-After);
 * a redirect is not followed and not retried (the URL is wrong); other 4xx are configuration
 * errors and are not retried. `error` is the provider's own text.
 */
export function httpFailure(res: Response, error: string): SendFailure {
  const { status } = res;
  if (status >= 300 && status < 400) {
    const location = res.headers.get('location');
    return {
      ok: false,
      retryable: false,
      status,
      error: `redirect (${status}${location ? ` to ${redactedLocation(location)}` : ''}) not followed; configure the final URL`,
    };
  }
  const retryable = status === 429 || status >= 500;
  const wait = retryable ? retryAfterMs(res.headers.get('retry-after')) : undefined;
  return { ok: false, retryable, status, error, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
}

/**
 * A request that got no answer: refused by the outbound guard (not retried, except a name that
 * did not resolve), timed out or aborted, or a network error (retried).
 */
export function networkFailure(err: unknown): SendFailure {
  const refused = outboundRefusal(err);
  if (refused) return { ok: false, retryable: refused.reason === 'unresolved', error: `${refused.code}: ${refused.message}` };
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return { ok: false, retryable: true, error: `no answer in time (${err.name})` };
  return { ok: false, retryable: true, error: `network error: ${describeCause(err)}` };
}

/** The innermost message of an error chain (fetch says "fetch failed" and keeps the reason in `cause`). */
function describeCause(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && e.cause instanceof Error && depth < 5; depth++) e = e.cause;
  if (e instanceof Error) return 'code' in e && typeof e.code === 'string' ? `${e.code} ${e.message}` : e.message;
  return String(e);
}

/** A redirect target without its query or userinfo (either may carry a token). */
function redactedLocation(location: string): string {
  try {
    const url = new URL(location);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(unreadable location)';
  }
}

/** The start of a response body for an error message, without control characters. */
export function bodyExcerpt(text: string, max = 300): string {
  const flat = [...text]
    .map((c) => (c.charCodeAt(0) < 0x20 ? ' ' : c))
    .join('')
    .replace(/ +/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
