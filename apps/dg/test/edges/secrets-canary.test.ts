import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createChannel, createIntegration, createRepository } from '@driftguard/api';
import { parseKeyring } from '@driftguard/db';
import { channelAdapters } from '@driftguard/notifier';
import { parseOutboundAllowList } from '@driftguard/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startPagerDutyPeer,
  startSlackPeer,
  startWebhookPeer,
  type PagerDutyPeer,
  type SlackPeer,
  type WebhookPeer,
} from '../../../../services/notifier/test/peers/index.js';
import { ENCODED, native, TAG } from '../../../../services/ingest/test/secrets.canary.builders.js';
import { startStack, waitUntil, type Stack } from './stack.harness.js';

/**
 * A canary secret configured where DriftGuard keeps secrets — a webhook signing key, a Slack bot
 * token, a PagerDuty routing key, an SMTP password, an integration's signing secret, a
 * repository's git credentials — and canaries inside scan values marked sensitive, driven through
 * every service running together (a delivery that fails until it is dead-lettered included).
 * The canary must then be absent from every log line, every answer of the API's GET routes, the
 * dead letters, every NATS message of the run, what the providers received (beyond the credential
 * itself where the provider must be sent it) and a pg_dump of the database.
 */

/** 32 letters and digits: a valid PagerDuty routing key, and unique to this run. */
const CANARY = `Cnry${randomBytes(14).toString('hex')}`;
const WEBHOOK_SECRET = `whsec_${Buffer.from(`${CANARY}-webhook-signing-key`).toString('base64')}`;
const SLACK_TOKEN = `xoxb-1000-2000-${CANARY}`;
const SMTP_PASSWORD = `${CANARY}-smtp-password`;
const GITHUB_SECRET = `${CANARY}-github-signing-secret`;
const GIT_TOKEN = `${CANARY}-git-token`;

/** Every form a canary could leak in. */
const NEEDLES = [
  CANARY,
  CANARY.toLowerCase(),
  Buffer.from(CANARY).toString('base64').slice(0, 24),
  WEBHOOK_SECRET.slice('whsec_'.length, 'whsec_'.length + 24),
  TAG,
  Buffer.from(TAG).toString('hex'),
  ...ENCODED,
];

/** Each needle found in `text`, with what surrounds it, so a failure shows where it leaked. */
const leaks = (text: string) =>
  NEEDLES.filter((n) => text.includes(n)).map((n) => text.slice(Math.max(0, text.indexOf(n) - 200), text.indexOf(n) + 80));

let stack: Stack;
let webhook: WebhookPeer;
let slack: SlackPeer;
let pagerduty: PagerDutyPeer;
let nats: { unsubscribe(): void } | undefined;
const messages: string[] = [];
let repositoryId = 0;
let integrationId = '';

beforeAll(async () => {
  webhook = await startWebhookPeer({ secrets: [WEBHOOK_SECRET] });
  slack = await startSlackPeer({ botToken: SLACK_TOKEN });
  pagerduty = await startPagerDutyPeer({ routingKey: CANARY });
  stack = await startStack({
    prefix: 'edges_canary',
    logLevel: 'debug',
    env: {
      DG_NOTIFIER_GROUP_WAIT_MS: '200',
      DG_NOTIFIER_GROUP_INTERVAL_MS: '500',
      DG_NOTIFIER_ANALYSIS_WAIT_MS: '200',
      DG_NOTIFIER_RETRY_SCHEDULE_MS: '100,100',
      DG_NOTIFIER_POLL_MS: '100',
      DG_REPO_ALLOW_LOCAL: 'true',
    },
  });
  // Every message of the run, on every subject of the stack (its own root), headers included.
  const bus = await stack.bus();
  nats = bus.nc.subscribe('>', {
    callback: (_err, m) => {
      if (!m.subject.startsWith(`${bus.config.subjectRoot}.`) && !m.subject.startsWith('$JS')) return;
      const headers = m.headers ? [...m.headers.keys()].map((k) => `${k}: ${m.headers!.get(k)}`).join('\n') : '';
      messages.push(`${m.subject}\n${headers}\n${m.string()}`);
    },
  });

  const keyring = parseKeyring(stack.env['DG_MASTER_KEY']!);
  const validate = (type: keyof typeof channelAdapters) => ({
    schema: channelAdapters[type].config,
    secretFields: channelAdapters[type].secretFields,
  });
  const channel = (name: string, type: keyof typeof channelAdapters, config: unknown) =>
    createChannel(stack.tdb.db, { orgSlug: 'acme', name, type, isDefault: false, config, keyring, validate });
  await channel('webhook', 'webhook', { url: webhook.endpoint, secrets: [WEBHOOK_SECRET] });
  await channel('slack', 'slack', { botToken: SLACK_TOKEN, channel: slack.channel, apiBaseUrl: slack.apiBaseUrl });
  await channel('pagerduty', 'pagerduty', { routingKey: CANARY, baseUrl: pagerduty.url });
  // Nothing listens there: every attempt fails until the notification is dead-lettered.
  await channel('email', 'email', {
    host: '127.0.0.1',
    port: 9,
    username: 'driftguard',
    password: SMTP_PASSWORD,
    from: 'alerts@example.com',
    to: ['oncall@example.com'],
  });
  integrationId = (
    await createIntegration(stack.tdb.db, { orgSlug: 'acme', envSlug: 'prod', source: 'github', secret: GITHUB_SECRET, keyring })
  ).id;
  repositoryId = (
    await createRepository(stack.tdb.db, {
      orgSlug: 'acme',
      envSlug: 'prod',
      tool: 'kubernetes',
      url: 'https://127.0.0.1:9/canary/manifests.git',
      credentials: JSON.stringify({ username: 'driftguard', token: GIT_TOKEN }),
      keyring,
      outbound: { allow: parseOutboundAllowList('127.0.0.1'), allowLocal: true },
    })
  ).id;
}, 180_000);

afterAll(async () => {
  nats?.unsubscribe();
  await stack?.stop();
  await webhook?.close();
  await slack?.close();
  await pagerduty?.close();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.url('api')}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${stack.tokens.orgAdmin}`, 'content-type': 'application/json', ...init.headers },
  });

describe('a canary secret', () => {
  it('is used where it is configured and appears nowhere else', { timeout: 150_000 }, async () => {
    // Traffic: a scan with sensitive values, a signed context delivery, a repository sync.
    const scan = await fetch(`${stack.url('ingest')}/v1/scans?format=native`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.scanner}`, 'content-type': 'application/json' },
      body: native(),
    });
    expect(scan.status).toBe(202);
    const { scanId } = (await scan.json()) as { scanId: string };
    const push = JSON.stringify({
      ref: 'refs/heads/main',
      repository: { full_name: 'acme/infra' },
      head_commit: {
        id: 'c0ffee',
        message: 'tighten the security group',
        timestamp: new Date().toISOString(),
        author: { name: 'alice' },
      },
      commits: [],
    });
    const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(push).digest('hex')}`;
    const context = await fetch(`${stack.url('ingest')}/v1/context/github?integration=${integrationId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': signature,
        'x-github-delivery': 'canary-1',
      },
      body: push,
    });
    expect(context.status, await context.clone().text()).toBeLessThan(300);
    const sync = await api(`/v1/repositories/${repositoryId}/sync?env=acme/prod`, { method: 'POST', body: '{}' });
    expect(sync.status, await sync.clone().text()).toBeLessThan(300);

    // The pipeline delivers to every provider, and the email that cannot be sent is dead-lettered.
    await waitUntil(
      async () =>
        webhook.deliveries.length > 0 &&
        slack.messages.size > 0 &&
        pagerduty.received.some((r) => r.accepted) &&
        (
          await stack.tdb.db
            .selectFrom('dead_letters')
            .select('id')
            .where('subject', 'like', '%notification.redeliver%')
            .execute()
        ).length > 0,
      'deliveries to every provider and the failing one dead-lettered',
      120_000,
    );
    const scanRow = await (
      await fetch(`${stack.url('ingest')}/v1/scans/${scanId}`, { headers: { authorization: `Bearer ${stack.tokens.scanner}` } })
    ).json();
    expect(scanRow).toMatchObject({ status: 'completed' });

    // Every GET of the api, with the ids that exist.
    const bodies: string[] = [];
    const routes = stack.services.get('api')!.routes.filter((r) => r.method === 'GET' && !r.url.includes('/auth/oidc'));
    const drifts = await stack.tdb.db.selectFrom('drift_events').select('id').execute();
    for (const r of routes) {
      const paths = r.url.includes(':id')
        ? r.url.startsWith('/v1/drifts/')
          ? drifts.map((d) => r.url.replace(':id', String(d.id)))
          : [r.url.replace(':id', '1')]
        : [r.url];
      for (const path of paths) {
        const res = await api(`${path}${path.includes('?') ? '&' : '?'}env=acme/prod`);
        bodies.push(`${path} ${res.status}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${await res.text()}`);
      }
    }
    expect(bodies.filter((b) => / 200\n/.test(b)).length).toBeGreaterThan(20);
    expect(leaks(bodies.join('\n')), 'API responses').toEqual([]);

    // The dead letters, as the table keeps them (their copies on dg.dlq.* are among the messages).
    const letters = await stack.tdb.db.selectFrom('dead_letters').selectAll().execute();
    expect(letters.length).toBeGreaterThan(0);
    expect(leaks(JSON.stringify(letters)), 'dead letters').toEqual([]);
    expect(messages.some((m) => m.includes('.dlq.'))).toBe(true);
    expect(leaks(messages.join('\n')), 'NATS messages').toEqual([]);

    // The canary is the working credential where it is configured (and the search finds it).
    expect(leaks(`…${CANARY}…`)).toHaveLength(1);
    expect(slack.received.some((r) => r.headers['authorization'] === `Bearer ${SLACK_TOKEN}`)).toBe(true);
    expect(pagerduty.received.some((r) => r.body.includes(`"routing_key":"${CANARY}"`))).toBe(true);
    // What the providers received: the credential only where the provider must be sent it.
    const requests = (received: { headers: object; body: string }[], allowed: (r: { headers: object; body: string }) => string) =>
      received.map(allowed).join('\n');
    expect(
      leaks(requests(webhook.received, (r) => `${JSON.stringify(r.headers)}\n${r.body}`)),
      'webhook (only its signature)',
    ).toEqual([]);
    const slackSent = requests(slack.received, (r) => {
      const { authorization: _bearer, ...headers } = r.headers as Record<string, unknown>;
      return `${JSON.stringify(headers)}\n${r.body}`;
    });
    expect(leaks(slackSent), 'slack (the token only as its bearer)').toEqual([]);
    const pagerdutySent = requests(
      pagerduty.received,
      (r) => `${JSON.stringify(r.headers)}\n${r.body.replaceAll(`"routing_key":"${CANARY}"`, '')}`,
    );
    expect(leaks(pagerdutySent), 'pagerduty (the key only as routing_key)').toEqual([]);

    // Every log line of every service.
    expect(stack.logs.length).toBeGreaterThan(100);
    expect(leaks(stack.logs.join('')), 'logs').toEqual([]);

    // The database, whole.
    const { stdout: dump } = await promisify(execFile)('pg_dump', ['--data-only', '--no-owner', stack.tdb.url], {
      maxBuffer: 256 * 1024 * 1024,
    });
    expect(dump).toContain('notification_channels');
    expect(leaks(dump), 'pg_dump').toEqual([]);
  });
});
