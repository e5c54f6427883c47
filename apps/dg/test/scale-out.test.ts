import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApiToken, createEnvironment, createOrganization } from '@driftguard/api';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger, type Service } from '@driftguard/runtime';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configureService } from '../src/service-catalog.js';

// Two instances each of analysis and the recommender against one NATS and one database: they
// share their services' durable consumers, so the drifts of a scan are split between them and
// none is analysed or recommended twice.

const DRIFTS = 100;
const suffix = randomBytes(4).toString('hex');
let tdb: TestDatabase;
const services: Service[] = [];
const handled: Record<string, number> = {};
let ingestPort = 0;
let token = '';

/** What a batch's log line lists: the drifts analysed, or the recommendations made. */
const HandledLine = z.union([
  z.object({ msg: z.literal('drifts analyzed'), drifts: z.array(z.unknown()) }).transform((l) => l.drifts.length),
  z
    .object({ msg: z.literal('recommendations created'), recommendations: z.array(z.unknown()) })
    .transform((l) => l.recommendations.length),
]);

/** A logger that counts, per instance, the drifts its batch lines say were analysed or recommended. */
function countingLogger(instance: string) {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.includes('"msg":"drifts analyzed"') && !line.includes('"msg":"recommendations created"')) continue;
        const counted = HandledLine.safeParse(JSON.parse(line));
        if (counted.success) handled[instance] = (handled[instance] ?? 0) + counted.data;
      }
      done();
    },
  });
  return createLogger({ level: 'info', name: instance, destination });
}

beforeAll(async () => {
  tdb = await createTestDatabase('scale_out');
  const env = {
    DATABASE_URL: tdb.url,
    NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    DG_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
    DG_SUBJECT_ROOT: `t${suffix}`,
    DG_STREAM_PREFIX: `T${suffix.toUpperCase()}_`,
    PORT: '0',
  };
  const instances = [
    ['ingest', 'ingest-1'],
    ['analysis', 'analysis-1'],
    ['analysis', 'analysis-2'],
    ['recommender', 'recommender-1'],
    ['recommender', 'recommender-2'],
  ] as const;
  for (const [name, instance] of instances) {
    const configured = await configureService(name, { ...env, DG_INSTANCE_ID: instance });
    const service = await configured.create({ log: countingLogger(instance) });
    services.push(service);
    const { port } = await service.start();
    if (name === 'ingest') ingestPort = port;
  }
  await createOrganization(tdb.db, { slug: 'scale' });
  await createEnvironment(tdb.db, { orgSlug: 'scale', slug: 'prod', cloud: 'aws' });
  token = (await createApiToken(tdb.db, { orgSlug: 'scale', envSlug: 'prod', role: 'scanner' })).token;
}, 120_000);

afterAll(async () => {
  for (const s of services.reverse()) await s.destroy().catch(() => undefined);
  await tdb?.destroy();
});

describe('several instances of analysis and the recommender', () => {
  it('split the drifts of a scan between them and handle each exactly once', { timeout: 180_000 }, async () => {
    const observations = Array.from({ length: DRIFTS }, (_, i) => ({
      kind: 'modified',
      resource: {
        address: `aws_instance.web_${i}`,
        type: 'aws_instance',
        physicalId: `i-0scale${i.toString(16).padStart(8, '0')}`,
      },
      declared: { instance_type: 't3.small' },
      actual: { instance_type: 't3.large' },
    }));
    const res = await fetch(`http://127.0.0.1:${ingestPort}/v1/scans?format=native&full=false`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ observedAt: new Date().toISOString(), observations }),
    });
    expect(res.status).toBe(202);

    const counts = async () => {
      const r = await sql<{ drifts: string; analyses: string; recommendations: string; open: string; events: string }>`
        SELECT (SELECT count(*) FROM drift_events) AS drifts,
               (SELECT count(*) FROM drift_cause_analysis) AS analyses,
               (SELECT count(*) FROM recommendations) AS recommendations,
               (SELECT count(DISTINCT drift_event_id) FROM recommendations WHERE status = 'open') AS open,
               (SELECT count(*) FROM outbox WHERE event_type = 'recommendation.created.v1') AS events`.execute(tdb.db);
      const row = r.rows[0];
      return {
        drifts: Number(row?.drifts),
        analyses: Number(row?.analyses),
        recommendations: Number(row?.recommendations),
        open: Number(row?.open),
        events: Number(row?.events),
      };
    };
    const deadline = Date.now() + 150_000;
    while ((await counts()).open < DRIFTS) {
      if (Date.now() > deadline) throw new Error(`not every drift recommended in time: ${JSON.stringify(await counts())}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // Settle: a message handled twice would show as a second analysis, recommendation or event.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await counts()).toEqual({ drifts: DRIFTS, analyses: DRIFTS, recommendations: DRIFTS, open: DRIFTS, events: DRIFTS });
    // Both instances of each service took part.
    for (const instance of ['analysis-1', 'analysis-2', 'recommender-1', 'recommender-2']) {
      expect(handled[instance] ?? 0, instance).toBeGreaterThan(0);
    }
    expect((handled['analysis-1'] ?? 0) + (handled['analysis-2'] ?? 0)).toBe(DRIFTS);
    expect((handled['recommender-1'] ?? 0) + (handled['recommender-2'] ?? 0)).toBe(DRIFTS);
  });
});
