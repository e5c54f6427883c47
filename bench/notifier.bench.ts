/**
 * The notifier end to end, against PostgreSQL (DATABASE_URL) and NATS (NATS_URL), delivering to
 * a local Standard Webhooks receiver:
 * - a burst of 10,000 drifts (their recommendation.created) across 50 environments: drifts
 *   queued per second, and notifications (one per environment group) delivered per second;
 * - latency from a lone critical drift's event to the provider's request. The recommender is not
 *   built yet, so this is measured from recommendation.created (drift.detected → analysis →
 *   recommendation adds their own latency); the degraded path from drift.detected waits
 *   DG_NOTIFIER_ANALYSIS_WAIT_MS by design and is not measured here.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createNotifierWorld, recommendation } from '../services/notifier/test/notifier.harness.js';
import { startWebhookPeer } from '../services/notifier/test/peers/index.js';
import type { BenchRow } from './diff.bench.js';

const DRIFTS = Number(process.env['DG_BENCH_NOTIFIER_DRIFTS'] ?? 10_000);
const ENVIRONMENTS = 50;
const LONE_SAMPLES = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('notifier bench: condition not met in time');
    await sleep(everyMs);
  }
}

export async function run(): Promise<BenchRow[]> {
  const world = await createNotifierWorld('bench_notifier', {
    LOG_LEVEL: 'silent',
    // Nothing flushes while the burst is queued; the bench then brings every group's flush to now.
    DG_NOTIFIER_GROUP_WAIT_MS: '3600000',
    DG_NOTIFIER_GROUP_INTERVAL_MS: '300000',
    DG_NOTIFIER_POLL_MS: '20',
  });
  const receiver = await startWebhookPeer();
  try {
    await world.addChannel('webhook', 'bench', { url: receiver.endpoint, secrets: receiver.secrets });
    await world.startService();
    const envs: number[] = [];
    for (let i = 0; i < ENVIRONMENTS; i++) envs.push(await world.addEnvironment(`bench-${i}`));

    // Burst.
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: DRIFTS }, (_, i) =>
        world.publish('recommendation.created.v1', recommendation({ priority: 'high' }), {
          envId: envs[i % ENVIRONMENTS] ?? world.envId,
        }),
      ),
    );
    const published = performance.now();
    await until(
      async () => {
        const row = await world.db
          .selectFrom('notification_group_items')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow();
        if (process.env['DG_BENCH_VERBOSE'])
          console.log(`queued ${row.n} after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        return Number(row.n) >= DRIFTS;
      },
      600_000,
      1000,
    );
    const queued = performance.now();
    // group_wait elapses for all 50 groups at once.
    await world.db.updateTable('notification_groups').set({ flush_at: new Date() }).where('status', '=', 'open').execute();
    const flushed = performance.now();
    // Delivered: the provider answered and the row says so.
    await until(
      async () => {
        const row = await world.db
          .selectFrom('notifications')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('status', '=', 'delivered')
          .executeTakeFirstOrThrow();
        return Number(row.n) >= ENVIRONMENTS;
      },
      600_000,
      5,
    );
    const delivered = performance.now();
    const notifications = receiver.deliveries.length;
    const covered = await world.db
      .selectFrom('notifications')
      .select('covered_drift_ids')
      .where('status', '=', 'delivered')
      .execute();
    const coveredTotal = covered.reduce((n, r) => n + (Array.isArray(r.covered_drift_ids) ? r.covered_drift_ids.length : 0), 0);
    const queueSec = (queued - t0) / 1000;
    const deliverSec = (delivered - flushed) / 1000;
    const burstNote =
      `${DRIFTS} drifts over ${ENVIRONMENTS} environments: published in ${((published - t0) / 1000).toFixed(1)} s, queued in ${queueSec.toFixed(1)} s ` +
      `(${Math.round(DRIFTS / queueSec)} drifts/s); at group_wait, ${notifications} notifications covering ${coveredTotal} drifts delivered in ` +
      `${deliverSec.toFixed(2)} s (${(notifications / deliverSec).toFixed(0)} notifications/s, ${Math.round(coveredTotal / deliverSec)} drifts/s)`;
    console.log(`notifier burst: ${burstNote}`);

    // Lone critical drifts, each in an environment of its own, one at a time.
    const latencies: number[] = [];
    for (let i = 0; i < LONE_SAMPLES; i++) {
      const envId = await world.addEnvironment(`lone-${i}`);
      const before = receiver.received.length;
      const s = performance.now();
      await world.publish('recommendation.created.v1', recommendation({ priority: 'critical' }), { envId });
      await until(() => receiver.received.length > before, 30_000, 1);
      latencies.push(performance.now() - s);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
    const loneNote = `recommendation.created → provider request (recommender not built: measured from its event), p50 ${pct(0.5).toFixed(0)} ms, p95 ${pct(0.95).toFixed(0)} ms, max ${pct(1).toFixed(0)} ms (poll 20 ms; load average ${loadavg()[0]?.toFixed(1)})`;
    console.log(`notifier lone critical: ${loneNote}`);
    return [
      {
        bench: 'notifier burst',
        engine: 'queue 10k drifts / 50 envs',
        pairs: DRIFTS,
        opsPerSec: Math.round(DRIFTS / queueSec),
        msPer1k: (queueSec * 1000 * 1000) / DRIFTS,
        note: `then ${notifications} notifications (${coveredTotal} drifts) delivered at ${(notifications / deliverSec).toFixed(0)} notifications/s; load average ${loadavg()[0]?.toFixed(1)}`,
      },
      {
        bench: 'notifier lone critical',
        engine: 'event → provider request',
        pairs: LONE_SAMPLES,
        opsPerSec: Math.round(1000 / Math.max(pct(0.5), 0.001)),
        msPer1k: pct(0.5) * 1000,
        note: loneNote,
      },
    ];
  } finally {
    await world.stop();
    await receiver.close();
  }
}
