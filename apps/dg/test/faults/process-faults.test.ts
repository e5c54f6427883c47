import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiToken, createChannel, createEnvironment, createOrganization } from '@driftguard/api';
import { connectBus, durableName, streamName, type Bus } from '@driftguard/bus';
import { catalog, type EventKey } from '@driftguard/contracts';
import { createDb, migrate, parseKeyring, type Database } from '@driftguard/db';
import { channelAdapters } from '@driftguard/notifier';
import { createLogger } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startWebhookPeer, type WebhookPeer } from '../../../../services/notifier/test/peers/index.js';
import { findNatsServer, natsSearchDirs } from '../../src/local-nats.js';
import { DRIFT_TYPES, startDriftPusher, type DriftPusher } from './drift.pusher.js';
import { freePort, waitUntil } from './loopback.js';
import { startNatsServer, type NatsServer } from './nats.server.js';
import { auditPipeline, consumerLag, pipelineProgress, unpublishedOutbox } from './pipeline.audit.js';
import { injectPoison } from './poison.messages.js';
import { postgresBinDir, startPostgresCluster, type PostgresCluster } from './postgres.cluster.js';
import { startProviderOutage, type ProviderOutage } from './provider.outage.js';
import { serviceProcess, type PipelineServiceName, type ServiceProcess, type UnexpectedExit } from './service.process.js';

/**
 * The whole pipeline as four OS processes (ingest, analysis, recommender, notifier) on a
 * PostgreSQL cluster and a nats-server of this suite's own, delivering to a Standard Webhooks
 * receiver. Drifts with unique addresses are pushed the whole time while each service is killed
 * with SIGKILL in the middle of its work and started again, nats-server restarts, PostgreSQL
 * shuts down fast and comes back, and the provider answers 503 for 30 s. Once the faults stop
 * and the pipeline drains, every submitted drift has exactly one drift event, one cause
 * analysis, one open recommendation and one delivered notification; no consumer lags; the only
 * dead letters are the poison messages sent on purpose.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const PROVIDER_OUTAGE_MS = 30_000;
/** ms between two scans of the steady stream, and drifts per scan */
const STEADY = { intervalMs: 500, scanSize: 4 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const natsBinary = findNatsServer(natsSearchDirs(process.env['PATH']));
const pgBin = postgresBinDir();

describe('the pipeline under process faults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-faults-'));
  const crashes: UnexpectedExit[] = [];
  const services = new Map<PipelineServiceName, ServiceProcess>();
  let pg: PostgresCluster;
  let nats: NatsServer;
  let db: Kysely<Database>;
  let bus: Bus;
  let peer: WebhookPeer;
  let provider: ProviderOutage;
  let pusher: DriftPusher | undefined;
  let channelId = 0;
  let org = { id: 0, envId: 0, token: '' };
  let passed = false;

  const service = (name: PipelineServiceName): ServiceProcess => {
    const s = services.get(name);
    if (!s) throw new Error(`no ${name} process`);
    return s;
  };
  const log = (line: string) => console.log(`[faults] ${line}`);

  beforeAll(async () => {
    if (!natsBinary || !pgBin)
      throw new Error('the fault suite needs nats-server and PostgreSQL binaries (/usr/lib/postgresql/*/bin)');
    const t0 = Date.now();
    pg = await startPostgresCluster(dir, pgBin);
    log(`postgres up after ${Date.now() - t0} ms`);
    const migrated = await migrate(pg.url, 'up');
    log(`migrated after ${Date.now() - t0} ms`);
    expect(migrated.applied.length).toBeGreaterThan(0);
    db = createDb(pg.url, { max: 4, applicationName: 'faults-suite' });
    nats = await startNatsServer(natsBinary, dir);
    bus = await connectBus({ url: nats.url, name: 'faults-suite', log: createLogger({ level: 'silent', name: 'faults' }) });

    peer = await startWebhookPeer();
    provider = await startProviderOutage(peer.endpoint);
    const masterKey = `k1:${randomBytes(32).toString('base64')}`;
    const created = await createOrganization(db, { slug: 'faults' });
    const env = await createEnvironment(db, { orgSlug: 'faults', slug: 'production', cloud: 'aws' });
    const { token } = await createApiToken(db, { orgSlug: 'faults', envSlug: 'production', role: 'scanner' });
    org = { id: created.id, envId: env.id, token };
    const channel = await createChannel(db, {
      orgSlug: 'faults',
      name: 'automation',
      type: 'webhook',
      isDefault: true,
      config: { url: provider.endpoint, secrets: peer.secrets },
      keyring: parseKeyring(masterKey),
      validate: (type) => ({ schema: channelAdapters[type].config, secretFields: channelAdapters[type].secretFields }),
    });
    channelId = channel.id;

    const serviceEnv = {
      DATABASE_URL: pg.url,
      NATS_URL: nats.url,
      DG_MASTER_KEY: masterKey,
      DG_OUTBOUND_ALLOW: '127.0.0.1',
      LOG_LEVEL: 'warn',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_TRACES_EXPORTER: 'none',
      // ingest: small batches, so a scan is written in several transactions; a dead claim is taken over soon
      DG_SCAN_BATCH_SIZE: '4',
      DG_SCAN_LEASE_MS: '3000',
      DG_SCAN_POLL_MS: '100',
      // notifier: one alert per drift (no scan holds two drifts of one type), sent soon; the
      // retries outlast the provider's outage (about 63 s in all) and a dead instance's claims return soon
      DG_NOTIFIER_GROUP_BY: 'scan,resource_type',
      DG_NOTIFIER_GROUP_WAIT_MS: '200',
      DG_NOTIFIER_GROUP_INTERVAL_MS: '1000',
      DG_NOTIFIER_RETRY_SCHEDULE_MS: '1000,2000,4000,8000,8000,8000,8000,8000,8000,8000',
      DG_NOTIFIER_LEASE_MS: '3000',
      DG_NOTIFIER_POLL_MS: '100',
      DG_NOTIFIER_REQUEST_TIMEOUT_MS: '5000',
    };
    for (const name of ['ingest', 'analysis', 'recommender', 'notifier'] as const) {
      services.set(name, serviceProcess(REPO_ROOT, dir, name, await freePort(), serviceEnv, crashes));
    }
    log(`starting services after ${Date.now() - t0} ms`);
    await Promise.all([...services.values()].map((s) => s.start()));
    log(`services ready after ${Date.now() - t0} ms`);
  }, 240_000);

  afterAll(async () => {
    pusher?.abandon();
    await Promise.all([...services.values()].map((s) => s.stop().catch(() => undefined)));
    await bus?.close().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    await nats?.stop();
    await pg?.destroy();
    await provider?.close();
    await peer?.close();
    // the logs of a failed run stay for a look
    if (passed) rmSync(dir, { recursive: true, force: true });
    else console.error(`[faults] service logs kept in ${dir}`);
  }, 120_000);

  /** Messages of `key` that `service`'s durable consumer holds: delivered and not yet acknowledged, and not yet delivered. */
  const consumerState = async (svc: PipelineServiceName, key: EventKey) => {
    const info = await bus.jsm.consumers.info(streamName(bus.config, catalog[key].stream), durableName(svc, key));
    return { inFlight: info.num_ack_pending, waiting: info.num_pending };
  };

  /**
   * Loads the pipeline with a burst, kills `svc` with SIGKILL as soon as `busy()` says it is in
   * the middle of that work, and starts it again. Tries a few bursts; the kill must land mid-batch.
   */
  const killMidBatch = async (push: DriftPusher, svc: PipelineServiceName, busy: () => Promise<boolean>) => {
    const target = service(svc);
    for (let attempt = 1; attempt <= 6; attempt++) {
      const burst = push.burst(3, DRIFT_TYPES.length);
      const caught = await waitUntil(`${svc} busy`, busy, 20_000, 10).catch(() => false);
      if (caught) {
        await target.kill9();
        const downAt = Date.now();
        await target.start();
        await burst;
        log(`${svc}: killed with SIGKILL mid-batch (burst ${attempt}), back after ${Date.now() - downAt} ms`);
        return;
      }
      await burst;
      log(`${svc}: burst ${attempt} passed without catching it busy`);
    }
    throw new Error(`${svc} was never caught in the middle of its work`);
  };

  /** Waits until every service answers /readyz again (database and NATS reachable). */
  const allReady = () =>
    Promise.all(
      [...services.values()].map((s) =>
        waitUntil(
          `${s.name} ready again`,
          async () => (await fetch(`http://127.0.0.1:${s.port}/readyz`)).status === 200,
          90_000,
          200,
        ),
      ),
    );

  it('loses and duplicates nothing through kills, restarts and a provider outage', { timeout: 600_000 }, async () => {
    const started = Date.now();
    const push = startDriftPusher({ ingestUrl: `http://127.0.0.1:${service('ingest').port}`, token: org.token, ...STEADY });
    pusher = push;
    // a line of progress every 10 s, to see where a slow drain waits
    const ticker = setInterval(() => {
      void pipelineProgress(db, bus).then(
        (line) => log(`+${Math.round((Date.now() - started) / 1000)}s submitted ${push.submitted.size} ${line}`),
        () => undefined,
      );
    }, 10_000);
    onTestFinished(() => clearInterval(ticker));
    await waitUntil('the first drifts notified', async () => peer.deliveries.length >= 5, 120_000);
    // poison first, each dead-lettered before the faults begin (a kill would hold it for its ack wait)
    const poisons = await injectPoison(bus, org.id, org.envId);
    await waitUntil(
      'the poison dead-lettered',
      async () => (await db.selectFrom('dead_letters').select('id').execute()).length >= poisons.length,
      60_000,
    );
    log(`steady stream flowing and poison dead-lettered after ${Date.now() - started} ms`);

    // kill -9 of each service in turn, each in the middle of a batch of its own work
    await killMidBatch(push, 'ingest', async () => {
      const partial = await db
        .selectFrom('scans')
        .select('id')
        .where('status', '=', 'processing')
        .where('drifts_opened', '>', 0)
        .where('drifts_opened', '<', DRIFT_TYPES.length)
        .executeTakeFirst();
      return partial !== undefined;
    });
    await killMidBatch(push, 'analysis', async () => (await consumerState('analysis', 'drift.detected.v1')).inFlight > 1);
    await killMidBatch(push, 'recommender', async () => (await consumerState('recommender', 'drift.analyzed.v1')).inFlight > 1);
    await killMidBatch(push, 'notifier', async () => {
      const claimed = await db.selectFrom('notifications').select('id').where('status', '=', 'claimed').executeTakeFirst();
      return claimed !== undefined || (await consumerState('notifier', 'recommendation.created.v1')).inFlight > 1;
    });

    // nats-server stops (SIGTERM) and comes back on its port and store
    let at = Date.now();
    await nats.restart(2_000);
    await allReady();
    log(`nats-server restarted; every service ready again after ${Date.now() - at} ms`);

    // PostgreSQL: fast shutdown (every session cut), then started again
    at = Date.now();
    await pg.stopFast();
    await sleep(2_000);
    await pg.start();
    await allReady();
    log(`PostgreSQL restarted (fast shutdown); every service ready again after ${Date.now() - at} ms`);

    // the provider answers 503 to everything for 30 s while drifts keep coming, from a moment the
    // notifier is delivering, and longer if need be until a delivery has been refused three times
    // (the backoff must be exercised however slowly this machine runs the notifier)
    const deliveredSoFar = peer.deliveries.length;
    await waitUntil('the notifier delivering', async () => peer.deliveries.length > deliveredSoFar + 5, 180_000);
    provider.begin();
    at = Date.now();
    await sleep(PROVIDER_OUTAGE_MS);
    await waitUntil('a delivery refused three times', async () => provider.mostRefusalsOfOne() >= 3, 180_000, 200);
    provider.end();
    log(`provider outage over after ${Date.now() - at} ms: ${provider.refused()} requests answered 503`);
    expect(provider.refused()).toBeGreaterThan(0);

    await push.stop();
    const faultsOver = Date.now();
    log(
      `faults over after ${faultsOver - started} ms; ${push.submitted.size} drifts submitted in ${JSON.stringify(push.stats())}`,
    );

    // drain: every drift notified, nothing left in any consumer or outbox
    const received = () => new Set(peer.deliveries.map((d) => d.id));
    await waitUntil(
      'the pipeline drained',
      async () => {
        const audit = await auditPipeline(db, push.submitted, channelId, received());
        const lag = Object.values(await consumerLag(bus)).reduce((a, b) => a + b, 0);
        return audit.withoutNotification.length === 0 && lag === 0 && (await unpublishedOutbox(db)) === 0;
      },
      240_000,
      1_000,
    );
    log(`drained ${Date.now() - faultsOver} ms after the faults stopped`);
    // settle: a message handled twice would show as a second row or delivery
    await sleep(3_000);

    const audit = await auditPipeline(db, push.submitted, channelId, received());
    const lag = await consumerLag(bus);
    const deadLetters = await db
      .selectFrom('dead_letters')
      .select(['id', 'service', 'subject', 'payload', 'error_code', 'delivery_count', 'stream_seq'])
      .execute();
    const receivedIds = peer.deliveries.map((d) => d.id);
    const figures = {
      submitted: audit.submitted,
      lost: audit.lost.length,
      duplicated: audit.duplicated.length,
      deadLetters: deadLetters.length,
      poison: poisons.length,
      repeatedDeliveries: receivedIds.length - new Set(receivedIds).size,
      providerRefused: provider.refused(),
      durationMs: Date.now() - started,
    };
    log(`figures ${JSON.stringify(figures)}`);
    log(`dead letters ${JSON.stringify(deadLetters.map((d) => ({ ...d, payload: d.payload.slice(0, 120) })))}`);

    expect(audit.lost).toEqual([]);
    expect(audit.duplicated).toEqual([]);
    expect(audit.unexpected).toEqual([]);
    expect(audit.withoutAnalysis).toEqual([]);
    expect(audit.duplicateAnalyses).toEqual([]);
    expect(audit.withoutRecommendation).toEqual([]);
    expect(audit.notOneOpenRecommendation).toEqual([]);
    expect(audit.withoutNotification).toEqual([]);
    expect(audit.duplicateNotifications).toEqual([]);
    expect(audit.notReceived).toEqual([]);
    // the provider saw no request but those of delivered notifications (a repeat keeps its webhook-id)
    const deliveredKeys = await db
      .selectFrom('notifications')
      .select('idempotency_key')
      .where('status', '=', 'delivered')
      .execute();
    expect(new Set(receivedIds)).toEqual(new Set(deliveredKeys.map((n) => n.idempotency_key)));
    expect(audit.notificationStatuses).toEqual({ delivered: audit.submitted });
    expect(Object.entries(lag).filter(([, n]) => n > 0)).toEqual([]);
    expect(await unpublishedOutbox(db)).toBe(0);
    // exactly the poison: one dead letter each, by the one service consuming its subject
    expect(
      deadLetters
        .map((d) => ({ service: d.service, poison: poisons.find((p) => d.payload.includes(p.marker))?.marker }))
        .sort((a, b) => a.service.localeCompare(b.service)),
    ).toEqual(poisons.map((p) => ({ service: p.service, poison: p.marker })).sort((a, b) => a.service.localeCompare(b.service)));
    // the retries were real: a notification answered 503 again and again, backed off, and delivered
    const retried = await db
      .selectFrom('notification_deliveries')
      .innerJoin('notifications', 'notifications.id', 'notification_deliveries.notification_id')
      .select((eb) => ['notification_id', eb.fn.countAll<string>().as('refusals')])
      .where('response_code', '=', 503)
      .where('notifications.status', '=', 'delivered')
      .groupBy('notification_id')
      .execute();
    const mostRefusals = Math.max(0, ...retried.map((r) => Number(r.refusals)));
    log(`${retried.length} notifications delivered after 503s, at most ${mostRefusals} refusals each`);
    expect(mostRefusals).toBeGreaterThanOrEqual(3);
    expect(crashes).toEqual([]);
    expect(
      [...services.values()].map((s) => [s.name, s.starts()]),
      'each service started twice',
    ).toEqual([
      ['ingest', 2],
      ['analysis', 2],
      ['recommender', 2],
      ['notifier', 2],
    ]);
    passed = true;
  });
});
