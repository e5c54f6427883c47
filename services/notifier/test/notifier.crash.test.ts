import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifierWorld, recommendation, waitUntil, type NotifierWorld } from './notifier.harness.js';
import { startWebhookPeer, type WebhookPeer } from './peers/index.js';

/**
 * Real notifier processes (services/notifier/src/main.ts under tsx): kill -9 of one in the middle
 * of delivering, then a restart; and two instances side by side. Every notification reaches the
 * receiver under one webhook-id; only a request in flight at the kill is repeated, and with the
 * same webhook-id (the Standard Webhooks receiver drops it as a duplicate).
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const N = 120;

/** Holds each request 150 ms before passing it on, so a delivery is in flight long enough to be cut. */
async function slowProxy(target: string): Promise<{ url: string; server: Server }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const out = request(
          { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        out.on('error', () => res.destroy());
        out.end(Buffer.concat(chunks));
      }, 150);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${to.pathname}`, server };
}

describe('notifier processes killed and doubled', () => {
  let world: NotifierWorld;
  let webhook: WebhookPeer;
  let proxy: { url: string; server: Server };
  const children: ChildProcess[] = [];

  const startNotifier = (name: string): ChildProcess => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', resolve(REPO_ROOT, 'services/notifier/src/main.ts')],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...world.env,
          LOG_LEVEL: 'warn',
          DG_INSTANCE_ID: name,
          DG_NOTIFIER_LEASE_MS: '2000',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    children.push(child);
    return child;
  };

  const stopAll = () =>
    Promise.all(
      children
        .filter((c) => c.exitCode === null && c.signalCode === null)
        .map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')))),
    );

  /** N critical drifts, each in an environment of its own: N notifications, each due at once. */
  const publishBurst = async (label: string): Promise<number[]> => {
    const drifts: number[] = [];
    for (let i = 0; i < N; i++) {
      const envId = await world.addEnvironment(`${label}-${i}`);
      const data = recommendation({ priority: 'critical' });
      drifts.push(data.driftEventId);
      await world.publish('recommendation.created.v1', data, { envId });
    }
    return drifts;
  };

  const rowsCovering = async (drifts: number[]) => {
    const set = new Set(drifts);
    const rows = await world.db.selectFrom('notifications').selectAll().execute();
    return rows.filter(
      (r) => Array.isArray(r.covered_drift_ids) && r.covered_drift_ids.some((d) => typeof d === 'number' && set.has(d)),
    );
  };

  beforeAll(async () => {
    world = await createNotifierWorld('notifier_crash');
    webhook = await startWebhookPeer();
    proxy = await slowProxy(webhook.endpoint);
    await world.addChannel('webhook', 'automation', { url: proxy.url, secrets: webhook.secrets });
  }, 60_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await world?.stop();
    await new Promise((r) => proxy?.server.close(r));
    await webhook?.close();
  });

  it('sends every notification once after kill -9 mid-delivery and a restart', async () => {
    const drifts = await publishBurst('kill');
    const first = startNotifier('notifier-a');
    await waitUntil(() => webhook.deliveries.length > 5 || undefined, 120_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const inFlight = new Set(
      (await rowsCovering(drifts))
        .filter((r) => r.status === 'claimed' && r.claimed_by === 'notifier-a')
        .map((r) => r.idempotency_key),
    );
    // The kill landed mid-delivery: claims of the dead instance are left, to be taken over after their lease.
    expect(inFlight.size).toBeGreaterThan(0);
    const deliveredBeforeRestart = webhook.deliveries.length;
    expect(deliveredBeforeRestart).toBeLessThan(N);
    startNotifier('notifier-b');
    const rows = await waitUntil(async () => {
      const r = await rowsCovering(drifts);
      return r.length === N && r.every((x) => x.status === 'delivered') ? r : undefined;
    }, 120_000);
    const keys = new Set(rows.map((r) => r.idempotency_key));
    const received = webhook.deliveries.map((d) => d.id);
    expect(new Set(received)).toEqual(keys);
    const repeated = received.filter((id, i) => received.indexOf(id) !== i);
    expect(repeated.every((id) => inFlight.has(id))).toBe(true);
    await stopAll();
  }, 240_000);

  it('sends every notification once with two notifier instances running side by side', async () => {
    const before = webhook.deliveries.length;
    startNotifier('notifier-c');
    startNotifier('notifier-d');
    const drifts = await publishBurst('pair');
    const rows = await waitUntil(async () => {
      const r = await rowsCovering(drifts);
      return r.length === N && r.every((x) => x.status === 'delivered') ? r : undefined;
    }, 120_000);
    const received = webhook.deliveries.slice(before).map((d) => d.id);
    expect(received).toHaveLength(N);
    expect(new Set(received)).toEqual(new Set(rows.map((r) => r.idempotency_key)));
    await stopAll();
  }, 240_000);
});
