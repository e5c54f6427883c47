/**
 * The whole pipeline under a burst: scans totalling BENCH_E2E_DRIFTS drifts (50,000) across 20
 * environments are submitted at once to ingest; ingest, analysis, the recommender and the
 * notifier each run as their own process against PostgreSQL (DATABASE_URL) and NATS (NATS_URL)
 * and deliver to a local Standard Webhooks receiver that verifies every request.
 *
 * Reports drifts/s sustained (submission to the last drift's first delivered notification),
 * p50/p99 latency per drift from its scan's submission to the provider's acceptance of the
 * first notification covering it, each service's peak RSS, and, in the same run, this machine's
 * ceilings: JetStream publish+consume of messages the size the pipeline's average, and
 * PostgreSQL COPY of the rows the pipeline wrote. The pipeline's throughput is given as a share
 * of the lower ceiling. Notification grouping is shortened (1 s wait, 5 s interval) so that a
 * burst's later drifts are not held for the product's 5-minute group interval.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createApiToken, createChannel, createEnvironment, createOrganization } from '@driftguard/api';
import { connectBus, streamNames, type Bus } from '@driftguard/bus';
import { parseKeyring, type Database } from '@driftguard/db';
import { createTestDatabase } from '@driftguard/db/testing';
import { channelAdapters } from '@driftguard/notifier';
import { createLogger } from '@driftguard/runtime';
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { startWebhookPeer } from '../services/notifier/test/peers/index.js';
import { cpuSeconds, peakRssMb, startServiceProcess, type ServiceProcess } from './bench-processes.js';
import type { BenchRow } from './diff.bench.js';

const DRIFTS = Number(process.env['BENCH_E2E_DRIFTS'] ?? 50_000);
const ENVIRONMENTS = Number(process.env['BENCH_E2E_ENVIRONMENTS'] ?? 20);
const TIMEOUT_MS = Number(process.env['BENCH_E2E_TIMEOUT_MS'] ?? 900_000);
export const PIPELINE_SERVICES = ['ingest', 'analysis', 'recommender', 'notifier'] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One observation of a realistic mix: 1 in 10 a security group opened to the world, 4 an instance resized, 5 bucket tags. */
export function observation(env: number, i: number, generation = 0) {
  const id = `${env.toString(16)}${i.toString(16).padStart(7, '0')}`;
  if (i % 10 === 0) {
    return {
      kind: 'modified',
      resource: { address: `aws_security_group.sg_${i}`, type: 'aws_security_group', physicalId: `sg-0${id}` },
      declared: { ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['10.0.0.0/16'] }] },
      actual: { ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }] },
    };
  }
  if (i % 10 < 5) {
    return {
      kind: 'modified',
      resource: { address: `aws_instance.web_${i}`, type: 'aws_instance', physicalId: `i-0${id}` },
      declared: { instance_type: 't3.small', tags: { Name: `web-${i}`, team: 'platform' } },
      actual: { instance_type: generation % 2 === 0 ? 't3.large' : 't3.xlarge', tags: { Name: `web-${i}`, team: 'platform' } },
    };
  }
  return {
    kind: 'modified',
    resource: { address: `aws_s3_bucket.data_${i}`, type: 'aws_s3_bucket', physicalId: `data-${id}` },
    declared: { tags: { owner: 'data', cost_center: 'cc-1' }, versioning: [{ enabled: true }] },
    actual: { tags: { owner: 'data', cost_center: `cc-${2 + generation}` }, versioning: [{ enabled: true }] },
  };
}

export interface PipelineWorld {
  db: Kysely<Database>;
  url: string;
  env: Record<string, string>;
  services: ServiceProcess[];
  ingestBase: string;
  /** one scanner token per environment, in environment order */
  tokens: string[];
  receiver: Awaited<ReturnType<typeof startWebhookPeer>>;
  destroy(): Promise<void>;
}

/** A database, the four services as processes, `environments` environments with tokens, and a webhook channel. */
export async function startPipeline(name: string, environments: number): Promise<PipelineWorld> {
  const tdb = await createTestDatabase(name);
  const receiver = await startWebhookPeer();
  const suffix = randomBytes(4).toString('hex');
  const masterKey = `k1:${randomBytes(32).toString('base64')}`;
  const env: Record<string, string> = {
    DATABASE_URL: tdb.url,
    NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    DG_MASTER_KEY: masterKey,
    DG_SUBJECT_ROOT: `b${suffix}`,
    DG_STREAM_PREFIX: `B${suffix.toUpperCase()}_`,
    DG_OUTBOUND_ALLOW: '127.0.0.1',
    DG_NOTIFIER_GROUP_WAIT_MS: '1000',
    DG_NOTIFIER_GROUP_INTERVAL_MS: '5000',
    LOG_LEVEL: 'error',
  };
  const services: ServiceProcess[] = [];
  const destroy = async () => {
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    const log = createLogger({ level: 'silent', name: 'bench' });
    const bus = await connectBus({
      url: env['NATS_URL']!,
      name: 'bench-cleanup',
      config: { streamPrefix: env['DG_STREAM_PREFIX']!, subjectRoot: env['DG_SUBJECT_ROOT']! },
      log,
    }).catch(() => undefined);
    if (bus) {
      for (const s of Object.values(streamNames({ streamPrefix: env['DG_STREAM_PREFIX']! })))
        await bus.jsm.streams.delete(s).catch(() => undefined);
      await bus.close();
    }
    await receiver.close();
    await tdb.destroy();
  };
  try {
    for (const service of PIPELINE_SERVICES) services.push(await startServiceProcess(service, env));
    await createOrganization(tdb.db, { slug: 'bench' });
    const tokens: string[] = [];
    for (let e = 0; e < environments; e++) {
      await createEnvironment(tdb.db, { orgSlug: 'bench', slug: `prod-${e}`, cloud: 'aws', name: `production ${e}` });
      tokens.push((await createApiToken(tdb.db, { orgSlug: 'bench', envSlug: `prod-${e}`, role: 'scanner' })).token);
    }
    await createChannel(tdb.db, {
      orgSlug: 'bench',
      name: 'receiver',
      type: 'webhook',
      isDefault: true,
      config: { url: receiver.endpoint, secrets: receiver.secrets },
      keyring: parseKeyring(masterKey),
      validate: (type) => ({ schema: channelAdapters[type].config, secretFields: channelAdapters[type].secretFields }),
    });
    const ingestBase = `http://127.0.0.1:${services[0]!.port}`;
    return { db: tdb.db, url: tdb.url, env, services, ingestBase, tokens, receiver, destroy };
  } catch (err) {
    await destroy();
    throw err;
  }
}

/** Submits one partial native scan; resolves with the submission time (epoch ms). */
export async function submitScan(world: PipelineWorld, env: number, observations: unknown[]): Promise<number> {
  const at = Date.now();
  const res = await fetch(`${world.ingestBase}/v1/scans?format=native&full=false`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.tokens[env]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ observedAt: new Date(at).toISOString(), observations }),
  });
  if (res.status !== 202) throw new Error(`scan refused: ${res.status} ${await res.text()}`);
  return at;
}

interface Progress {
  drifts: number;
  analyzed: number;
  recommended: number;
  notified: number;
}

export async function pipelineProgress(db: Kysely<Database>): Promise<Progress> {
  const { rows } = await sql<{ drifts: string; analyzed: string; recommended: string; notified: string }>`
    select (select count(*) from drift_events) as drifts,
           (select count(*) from drift_cause_analysis) as analyzed,
           (select count(distinct drift_event_id) from recommendations) as recommended,
           (select count(distinct x.id) from notifications n, jsonb_array_elements_text(n.covered_drift_ids) as x(id)
             where n.delivered_at is not null) as notified
  `.execute(db);
  const r = rows[0]!;
  return {
    drifts: Number(r.drifts),
    analyzed: Number(r.analyzed),
    recommended: Number(r.recommended),
    notified: Number(r.notified),
  };
}

/** Per drift, ms from its scan's submission to the first delivered notification covering it. */
async function latencies(db: Kysely<Database>, submittedAt: Map<number, number>) {
  // Each environment's drifts share one submission time: the per-drift distribution is
  // (delivery time − that environment's submission), gathered across environments.
  const all: number[] = [];
  const { rows: each } = await sql<{ environment_id: number; ms: string }>`
    select d.environment_id, extract(epoch from min(n.delivered_at)) * 1000 as ms
    from notifications n, jsonb_array_elements_text(n.covered_drift_ids) as x(id) join drift_events d on d.id = x.id::int
    where n.delivered_at is not null group by d.id, d.environment_id
  `.execute(db);
  for (const r of each) all.push(Number(r.ms) - (submittedAt.get(r.environment_id) ?? 0));
  all.sort((a, b) => a - b);
  const pct = (p: number) => all[Math.min(all.length - 1, Math.floor(p * all.length))] ?? NaN;
  const lastDelivery = Math.max(...each.map((r) => Number(r.ms)));
  return { p50: pct(0.5), p99: pct(0.99), lastDelivery };
}

/** JetStream publish then pull-consume with acks of `count` messages of `size` bytes; messages/s over both. */
async function jetstreamCeiling(bus: Bus, root: string, count: number, size: number): Promise<number> {
  const stream = `BENCHCEIL_${randomBytes(4).toString('hex').toUpperCase()}`;
  const subject = `${root}.ceiling.${stream.toLowerCase()}`;
  await bus.jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.File, retention: RetentionPolicy.Limits });
  try {
    const payload = randomBytes(size);
    const t0 = performance.now();
    const window = 512;
    let inflight: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      inflight.push(bus.js.publish(subject, payload, { msgID: `${stream}-${i}` }));
      if (inflight.length >= window) {
        await Promise.all(inflight);
        inflight = [];
      }
    }
    await Promise.all(inflight);
    await bus.jsm.consumers.add(stream, {
      durable_name: 'ceiling',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const consumer = await bus.js.consumers.get(stream, 'ceiling');
    const messages = await consumer.consume({ max_messages: 1000 });
    let seen = 0;
    for await (const m of messages) {
      m.ack();
      if (++seen >= count) break;
    }
    await messages.close();
    return count / ((performance.now() - t0) / 1000);
  } finally {
    await bus.jsm.streams.delete(stream).catch(() => undefined);
  }
}

/** COPY of the rows the pipeline wrote (drift rows, changes, analyses, recommendations) into empty copies; drifts/s. */
async function copyCeiling(url: string, drifts: number): Promise<{ perSec: number; rows: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const tables = ['drift_events', 'drift_changes', 'drift_cause_analysis', 'recommendations'];
  let seconds = 0;
  let rows = 0;
  try {
    for (const table of tables) {
      const chunks: Buffer[] = [];
      const out = client.query(copyTo(`COPY ${table} TO STDOUT`));
      for await (const chunk of out) chunks.push(Buffer.from(chunk));
      await client.query(`CREATE TEMP TABLE ceiling_${table} (LIKE ${table} INCLUDING DEFAULTS INCLUDING INDEXES)`);
      const t0 = performance.now();
      const into = client.query(copyFrom(`COPY ceiling_${table} FROM STDIN`));
      await new Promise<void>((resolve, reject) => {
        into.on('finish', resolve);
        into.on('error', reject);
        for (const c of chunks) into.write(c);
        into.end();
      });
      seconds += (performance.now() - t0) / 1000;
      rows += into.rowCount ?? 0;
    }
  } finally {
    await client.end();
  }
  return { perSec: drifts / seconds, rows };
}

export async function run(): Promise<BenchRow[]> {
  const world = await startPipeline('bench_e2e', ENVIRONMENTS);
  const log = createLogger({ level: 'silent', name: 'bench' });
  try {
    const { rows: envRows } = await sql<{ id: number }>`select id from environments order by id`.execute(world.db);
    const perEnv = Math.ceil(DRIFTS / ENVIRONMENTS);
    const scans = Array.from({ length: ENVIRONMENTS }, (_, e) =>
      Array.from({ length: Math.min(perEnv, DRIFTS - e * perEnv) }, (_, i) => observation(e, i)),
    );
    const cpuBefore = new Map(world.services.map((s) => [s.name, cpuSeconds(s.pid)]));
    const t0 = Date.now();
    const submitted = await Promise.all(scans.map((obs, e) => submitScan(world, e, obs)));
    const submittedAt = new Map(envRows.map((r, e) => [r.id, submitted[e]!]));
    const accepted = Date.now();
    const peaks = new Map<string, number>();
    let progress: Progress = { drifts: 0, analyzed: 0, recommended: 0, notified: 0 };
    const deadline = t0 + TIMEOUT_MS;
    let lastPrint = 0;
    while (progress.notified < DRIFTS) {
      if (Date.now() > deadline) throw new Error(`e2e bench: not done within ${TIMEOUT_MS} ms: ${JSON.stringify(progress)}`);
      await sleep(1000);
      for (const s of world.services) peaks.set(s.name, peakRssMb(s.pid));
      progress = await pipelineProgress(world.db);
      if (Date.now() - lastPrint > 10_000) {
        lastPrint = Date.now();
        console.log(`e2e  +${((Date.now() - t0) / 1000).toFixed(0)} s: ${JSON.stringify(progress)}`);
      }
    }
    // CPU each service spent on the burst, per drift: where the pipeline's time goes.
    const cpuMsPerDrift = Object.fromEntries(
      world.services.map((s) => [s.name, ((cpuSeconds(s.pid) - (cpuBefore.get(s.name) ?? 0)) * 1000) / DRIFTS]),
    );
    const { p50, p99, lastDelivery } = await latencies(world.db, submittedAt);
    const seconds = (lastDelivery - t0) / 1000;
    const sustained = DRIFTS / seconds;

    const bus = await connectBus({
      url: world.env['NATS_URL']!,
      name: 'bench-ceiling',
      config: { streamPrefix: world.env['DG_STREAM_PREFIX']!, subjectRoot: world.env['DG_SUBJECT_ROOT']! },
      log,
    });
    let messageSize = 0;
    let jsPerSec = 0;
    try {
      let bytes = 0;
      let messages = 0;
      for (const name of Object.values(streamNames({ streamPrefix: world.env['DG_STREAM_PREFIX']! }))) {
        const info = await bus.jsm.streams.info(name).catch(() => undefined);
        bytes += info?.state.bytes ?? 0;
        messages += info?.state.messages ?? 0;
      }
      messageSize = Math.max(64, Math.round(bytes / Math.max(1, messages)));
      jsPerSec = await jetstreamCeiling(bus, world.env['DG_SUBJECT_ROOT']!, DRIFTS, messageSize);
    } finally {
      await bus.close();
    }
    const copy = await copyCeiling(world.url, DRIFTS);
    const lower = Math.min(jsPerSec, copy.perSec);
    const share = (100 * sustained) / lower;
    const load = loadavg()[0]?.toFixed(1);
    const rss = [...peaks].map(([n, mb]) => `${n} ${mb.toFixed(0)} MB`).join(', ');
    const cpu = Object.entries(cpuMsPerDrift)
      .map(([n, ms]) => `${n} ${ms.toFixed(1)}`)
      .join(', ');
    const note =
      `${DRIFTS.toLocaleString('en-US')} drifts / ${ENVIRONMENTS} envs fully notified in ${seconds.toFixed(1)} s (goal < 60 s; 202s after ${((accepted - t0) / 1000).toFixed(1)} s); ` +
      `latency submission → provider p50 ${(p50 / 1000).toFixed(1)} s, p99 ${(p99 / 1000).toFixed(1)} s; ` +
      `ceilings: JetStream ${Math.round(jsPerSec).toLocaleString('en-US')} msg/s at ${messageSize} B, PostgreSQL COPY ${Math.round(copy.perSec).toLocaleString('en-US')} drifts/s (${copy.rows.toLocaleString('en-US')} rows); ` +
      `pipeline = ${share.toFixed(1)}% of the lower ceiling (goal ≥ 25%); CPU ms per drift ${cpu}; peak RSS ${rss}; load average ${load}`;
    console.log(`pipeline burst: ${note}`);
    return [
      {
        bench: 'pipeline burst',
        engine: 'scan → provider, 4 processes',
        pairs: DRIFTS,
        opsPerSec: Math.round(sustained),
        msPer1k: (seconds * 1000 * 1000) / DRIFTS,
        note,
        details: {
          drifts: DRIFTS,
          environments: ENVIRONMENTS,
          seconds,
          driftsPerSec: sustained,
          latencyMs: { p50, p99 },
          ceilings: {
            jetstreamMsgPerSec: jsPerSec,
            messageBytes: messageSize,
            copyDriftsPerSec: copy.perSec,
            copyRows: copy.rows,
          },
          shareOfLowerCeiling: share / 100,
          peakRssMb: Object.fromEntries(peaks),
          cpuMsPerDrift,
        },
      },
    ];
  } finally {
    await world.destroy();
  }
}
