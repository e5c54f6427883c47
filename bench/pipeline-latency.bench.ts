/**
 * A lone security-critical drift through the whole pipeline: ingest, analysis, the recommender
 * and the notifier running together (one process, their own roles) against PostgreSQL
 * (DATABASE_URL) and NATS (NATS_URL), delivering to a local Standard Webhooks receiver. Reports
 * the latency from drift.detected (the drift's detected_at, when ingest wrote it and its event)
 * to the provider's request, p50 and p99 over BENCH_PIPELINE_SAMPLES drifts sent one at a time.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { createOrganization, createEnvironment, createApiToken, createChannel } from '@driftguard/api';
import { parseKeyring } from '@driftguard/db';
import { createTestDatabase } from '@driftguard/db/testing';
import { channelAdapters } from '@driftguard/notifier';
import { createLogger, type Service } from '@driftguard/runtime';
import { configureService } from '../apps/dg/src/service-catalog.js';
import { startWebhookPeer } from '../services/notifier/test/peers/index.js';
import type { BenchRow } from './diff.bench.js';

const SAMPLES = Number(process.env['BENCH_PIPELINE_SAMPLES'] ?? 30);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<BenchRow[]> {
  const tdb = await createTestDatabase('bench_pipeline');
  const receiver = await startWebhookPeer();
  const suffix = randomBytes(4).toString('hex');
  const masterKey = `k1:${randomBytes(32).toString('base64')}`;
  const env = {
    DATABASE_URL: tdb.url,
    NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    DG_MASTER_KEY: masterKey,
    DG_SUBJECT_ROOT: `b${suffix}`,
    DG_STREAM_PREFIX: `B${suffix.toUpperCase()}_`,
    DG_OUTBOUND_ALLOW: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PORT: '0',
  };
  const log = createLogger({ level: 'silent', name: 'bench' });
  const services: Service[] = [];
  try {
    let ingestPort = 0;
    for (const name of ['ingest', 'analysis', 'recommender', 'notifier'] as const) {
      const configured = await configureService(name, env);
      const service = await configured.create({ log });
      services.push(service);
      const { port } = await service.start();
      if (name === 'ingest') ingestPort = port;
    }
    await createOrganization(tdb.db, { slug: 'bench' });
    await createEnvironment(tdb.db, { orgSlug: 'bench', slug: 'production', cloud: 'aws', name: 'production' });
    const { token } = await createApiToken(tdb.db, { orgSlug: 'bench', envSlug: 'production', role: 'scanner' });
    await createChannel(tdb.db, {
      orgSlug: 'bench',
      name: 'receiver',
      type: 'webhook',
      isDefault: true,
      config: { url: receiver.endpoint, secrets: receiver.secrets },
      keyring: parseKeyring(masterKey),
      validate: (type) => ({ schema: channelAdapters[type].config, secretFields: channelAdapters[type].secretFields }),
    });

    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const before = receiver.received.length;
      const scan = {
        observedAt: new Date().toISOString(),
        observations: [
          {
            kind: 'modified',
            resource: {
              address: `aws_security_group.sg_${i}`,
              type: 'aws_security_group',
              physicalId: `sg-0bench${i.toString(16).padStart(8, '0')}`,
            },
            declared: { ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['10.0.0.0/16'] }] },
            actual: { ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }] },
          },
        ],
      };
      const res = await fetch(`http://127.0.0.1:${ingestPort}/v1/scans?format=native&full=false`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(scan),
      });
      if (res.status !== 202) throw new Error(`pipeline bench: scan refused with ${res.status}`);
      const deadline = Date.now() + 60_000;
      while (receiver.received.length === before) {
        if (Date.now() > deadline) throw new Error('pipeline bench: no provider request within 60 s');
        await sleep(2);
      }
      const requestAt = Date.now();
      const drift = await tdb.db
        .selectFrom('drift_events')
        .select('detected_at')
        .where('resource_key', 'like', `%sg_${i}%`)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      const detectedAt = drift?.detected_at ? new Date(drift.detected_at).getTime() : requestAt;
      latencies.push(requestAt - detectedAt);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
    const note = `drift.detected → provider request through analysis, recommender and notifier: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms over ${SAMPLES} lone critical drifts (goal p99 < 500 ms; load average ${loadavg()[0]?.toFixed(1)})`;
    console.log(`pipeline lone critical: ${note}`);
    return [
      {
        bench: 'pipeline lone critical',
        engine: 'drift.detected → provider',
        pairs: SAMPLES,
        opsPerSec: Math.round(1000 / Math.max(pct(0.5), 1)),
        msPer1k: pct(0.5) * 1000,
        note,
      },
    ];
  } finally {
    for (const s of services.reverse()) await s.destroy().catch(() => undefined);
    await receiver.close();
    await tdb.destroy();
  }
}
