import { createHash } from 'node:crypto';
import { createOutboundGuard, OutboundRefusedError } from '@driftguard/runtime';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { Alert, ChannelAdapter, SendResult } from './channel.js';
import { emailBody } from './email-body.js';
import { CHANNEL_TIMEOUT_MS } from './outbound-http.js';
import type { SendFailure } from './send-result.js';

export const EmailConfig = z
  .strictObject({
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).default(587),
    /** TLS from the first byte (port 465); otherwise STARTTLS whenever the server offers it */
    secure: z.boolean().default(false),
    /** refuse to send unless the connection is upgraded with STARTTLS */
    requireTLS: z.boolean().default(false),
    username: z.string().min(1).max(320).optional(),
    password: z.string().min(1).max(1024).optional(),
    /** `alerts@example.com` or `DriftGuard <alerts@example.com>` */
    from: z.string().min(3).max(320),
    to: z.array(z.email()).min(1).max(50),
    /** PEM of a private CA the server's certificate chains to (an internal relay); public CAs are trusted anyway */
    ca: z.string().startsWith('-----BEGIN CERTIFICATE-----').optional(),
  })
  .refine((c) => (c.username === undefined) === (c.password === undefined), {
    error: 'username and password go together',
    path: ['password'],
  });
export type EmailConfig = z.infer<typeof EmailConfig>;

/** TLS failures are configuration errors (wrong host name, untrusted certificate): another try cannot help. */
const TLS_CODES = new Set([
  'ETLS',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function domainOf(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'driftguard.invalid';
}

/** The thread every email about one alert key belongs to (References / In-Reply-To). */
export function threadMessageId(key: string, from: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}.alert@${domainOf(from)}>`;
}

function failureOf(err: unknown): SendFailure {
  if (err instanceof OutboundRefusedError)
    return { ok: false, retryable: err.reason === 'unresolved', error: `${err.code}: ${err.message}` };
  const e = err instanceof Error ? err : new Error(String(err));
  const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  const reply = 'responseCode' in e && typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const causeCode = e.cause instanceof Error && 'code' in e.cause && typeof e.cause.code === 'string' ? e.cause.code : undefined;
  const message = e.message.replace(/\s+/g, ' ').slice(0, 300);
  // SMTP reply codes: 5yz permanent, 4yz transient (RFC 5321 §4.2.1).
  if (reply !== undefined) return { ok: false, retryable: reply < 500, status: reply, error: message };
  if ((code && TLS_CODES.has(code)) || (causeCode && TLS_CODES.has(causeCode)) || /certificate/i.test(message))
    return { ok: false, retryable: false, error: `TLS: ${message}` };
  if (code === 'EAUTH') return { ok: false, retryable: false, error: message };
  return { ok: false, retryable: true, error: `${code ?? 'network error'}: ${message}` };
}

/**
 * Email over SMTP with nodemailer: HTML and plain-text parts to every recipient. The host is
 * resolved through the outbound guard and the connection made to that vetted address (TLS still
 * checks the certificate against the host name), so DNS cannot point it elsewhere afterwards.
 * STARTTLS is used whenever offered (`requireTLS` refuses servers without it); an untrusted
 * certificate fails the send rather than falling back to plain text. 5xx replies are not
 * retried, 4xx replies and network errors are.
 */
export const emailChannel: ChannelAdapter<EmailConfig> = {
  type: 'email',
  config: EmailConfig,
  secretFields: ['password'],
  async send(config, alert, ctx): Promise<SendResult> {
    const guard = ctx.outbound ?? createOutboundGuard();
    let address: string;
    try {
      address = (await guard.resolve({ scheme: 'https', host: config.host.toLowerCase(), port: config.port })).address;
    } catch (err) {
      return failureOf(err);
    }
    const transport = nodemailer.createTransport({
      host: address,
      port: config.port,
      secure: config.secure,
      requireTLS: config.requireTLS,
      ...(config.username !== undefined && config.password !== undefined
        ? { auth: { user: config.username, pass: config.password } }
        : {}),
      tls: { servername: config.host, minVersion: 'TLSv1.2', ...(config.ca ? { ca: config.ca } : {}) },
      connectionTimeout: CHANNEL_TIMEOUT_MS,
      greetingTimeout: CHANNEL_TIMEOUT_MS,
      socketTimeout: CHANNEL_TIMEOUT_MS,
    });
    const abort = () => transport.close();
    ctx.signal.addEventListener('abort', abort, { once: true });
    try {
      const body = emailBody(alert);
      const thread = threadMessageId(alert.key, config.from);
      const info = await transport.sendMail({
        from: config.from,
        to: config.to,
        subject: body.subject,
        text: body.text,
        html: body.html,
        ...threading(alert, thread, config.from),
      });
      const rejected = info.rejected.map(String);
      if (rejected.length === config.to.length)
        return { ok: false, retryable: false, error: `every recipient was rejected: ${info.response}` };
      return {
        ok: true,
        status: 250,
        providerRef: { messageId: info.messageId, ...(rejected.length > 0 ? { rejected: rejected.join(', ') } : {}) },
      };
    } catch (err) {
      return failureOf(err);
    } finally {
      ctx.signal.removeEventListener('abort', abort);
      transport.close();
    }
  },
};

function threading(alert: Alert, thread: string, from: string): { messageId: string; inReplyTo?: string; references?: string } {
  const own = `<${alert.idempotencyKey.replace(/[^A-Za-z0-9._-]/g, '')}@${domainOf(from)}>`;
  if (alert.action === 'test') return { messageId: own };
  // Every mail names the thread of its key; a key triggered again after a resolution gets a new
  // Message-ID of its own (mail systems drop repeated ids).
  if (alert.action === 'trigger') return { messageId: own, references: thread };
  return { messageId: own, inReplyTo: thread, references: thread };
}
