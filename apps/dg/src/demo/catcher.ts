import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { renderCatcherPage } from './catcher-page.js';

/** A message the demo's catcher received, as the provider would have. */
export interface CaughtMessage {
  id: number;
  provider: 'slack' | 'pagerduty' | 'webhook' | 'email';
  /** what the provider call was: `incoming-webhook`, `chat.postMessage`, `trigger`… */
  action: string;
  receivedAt: string;
  /** the JSON body (HTTP providers) */
  body?: unknown;
  /** headers worth showing (Standard Webhooks' id, timestamp and signature) */
  headers?: Record<string, string>;
  email?: { subject: string; from: string; to: string; text: string; html: string };
}

export interface Catcher {
  /** the page showing what was caught, and the base of every provider URL below */
  url: string;
  slackWebhookUrl: string;
  slackApiUrl: string;
  pagerdutyUrl: string;
  webhookUrl: string;
  smtp: { host: string; port: number };
  messages(): readonly CaughtMessage[];
  close(): Promise<void>;
}

const SHOWN_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type', 'user-agent'];
const MAX_BODY = 2 * 1024 * 1024;
const MAX_KEPT = 500;

/**
 * Stands in for Slack, PagerDuty, a webhook receiver and an SMTP server on loopback, so `dg demo`
 * shows what DriftGuard would have sent without sending anything anywhere. Answers as each
 * provider does on success (Slack `ok`, chat.postMessage's `ts`, PagerDuty's 202 with its
 * dedup_key) and serves a page rendering every message.
 */
export async function startCatcher(opts: { host?: string; httpPort?: number; smtpPort?: number } = {}): Promise<Catcher> {
  const host = opts.host ?? '127.0.0.1';
  const caught: CaughtMessage[] = [];
  let nextId = 1;
  const keep = (message: Omit<CaughtMessage, 'id' | 'receivedAt'>) => {
    caught.push({ ...message, id: nextId++, receivedAt: new Date().toISOString() });
    if (caught.length > MAX_KEPT) caught.splice(0, caught.length - MAX_KEPT);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: err instanceof Error ? err.message : 'error' }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://catcher').pathname;
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self' data:",
      });
      res.end(renderCatcherPage(caught));
      return;
    }
    if (req.method === 'GET' && path === '/messages.json') return send(res, 200, caught);
    if (req.method !== 'POST') return send(res, 404, { error: 'not found' });
    const body = await readJson(req);
    const headers = Object.fromEntries(
      SHOWN_HEADERS.flatMap((h) => (typeof req.headers[h] === 'string' ? [[h, req.headers[h]]] : [])),
    );
    if (path.startsWith('/slack/webhook/')) {
      keep({ provider: 'slack', action: 'incoming-webhook', body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (path === '/slack/api/chat.postMessage' || path === '/slack/api/chat.update') {
      const action = path.slice('/slack/api/'.length);
      keep({ provider: 'slack', action, body });
      const channel = isRecord(body) && typeof body['channel'] === 'string' ? body['channel'] : 'C0DEMO';
      const ts =
        isRecord(body) && typeof body['ts'] === 'string'
          ? body['ts']
          : `${Math.floor(Date.now() / 1000)}.${String(nextId).padStart(6, '0')}`;
      return send(res, 200, { ok: true, channel, ts });
    }
    if (path === '/pagerduty/v2/enqueue') {
      const action = isRecord(body) && typeof body['event_action'] === 'string' ? body['event_action'] : 'event';
      keep({ provider: 'pagerduty', action, body });
      const dedupKey = isRecord(body) && typeof body['dedup_key'] === 'string' ? body['dedup_key'] : randomUUID();
      return send(res, 202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
    }
    if (path.startsWith('/webhook/')) {
      const type = isRecord(body) && typeof body['type'] === 'string' ? body['type'] : 'event';
      keep({ provider: 'webhook', action: type, body, headers });
      res.writeHead(204);
      res.end();
      return;
    }
    send(res, 404, { error: 'not found' });
  }

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    banner: 'DriftGuard demo catcher',
    size: MAX_BODY,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
          keep({
            provider: 'email',
            action: 'smtp',
            email: {
              subject: mail.subject ?? '',
              from: mail.from?.text ?? '',
              to,
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
            },
          });
          callback();
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error('unreadable message')));
    },
  });

  await new Promise<void>((resolve) => http.listen(opts.httpPort ?? 0, host, resolve));
  await new Promise<void>((resolve) => smtp.listen(opts.smtpPort ?? 0, host, resolve));
  const httpPort = portOf(http.address());
  const smtpPort = portOf(smtp.server.address());
  const base = `http://${host}:${httpPort}`;
  return {
    url: base,
    slackWebhookUrl: `${base}/slack/webhook/T0DEMO/B0DEMO/demo`,
    slackApiUrl: `${base}/slack/api`,
    pagerdutyUrl: `${base}/pagerduty`,
    webhookUrl: `${base}/webhook/driftguard`,
    smtp: { host, port: smtpPort },
    messages: () => caught,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}

function portOf(address: string | { port: number } | null): number {
  if (address === null || typeof address === 'string') throw new Error('catcher is not listening on a TCP port');
  return address.port;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
