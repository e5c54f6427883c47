import { randomBytes } from 'node:crypto';
import { connectBus, streamName, streamNames, type Bus } from '@driftguard/bus';
import { catalog, DriftAnalyzedV1, subjectFor, type DataOf, type EventKey } from '@driftguard/contracts';
import { durableName } from '@driftguard/bus';
import { uuidv7 } from 'uuidv7';
import { createDb, SERVICE_ROLES, type Database } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createIngestService, loadIngestConfig } from '@driftguard/ingest';
import { createLogger, generateToken, type Service } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { loadAnalysisConfig } from '../src/config.js';
import { createAnalysisService } from '../src/service.js';
import { NATS_URL, waitUntil } from './analysis.harness.js';

/** An environment of the pipeline's organization with a scanner token bound to it. */
export interface PipelineEnvironment {
  envId: number;
  token: string;
}

export interface Pipeline {
  db: Kysely<Database>;
  orgId: number;
  bus: Bus;
  subjectRoot: string;
  streamPrefix: string;
  environment(slug: string, tags?: Record<string, string>): Promise<PipelineEnvironment>;
  /** POST /v1/context/<source> to ingest as the environment's token; returns the status. */
  context(env: PipelineEnvironment, source: string, body: unknown, headers?: Record<string, string>): Promise<number>;
  /** Submits a scan to ingest and waits until it is processed; returns its id. */
  scan(env: PipelineEnvironment, format: string, body: unknown, full?: boolean): Promise<string>;
  /** Every drift.analyzed of the environment so far, oldest first. */
  analyzedOf(env: PipelineEnvironment): Promise<DriftAnalyzedV1['data'][]>;
  /** Waits for a drift.analyzed of a drift of the environment matching `where`. */
  waitAnalyzed(env: PipelineEnvironment, where?: (d: DriftAnalyzedV1['data']) => boolean): Promise<DriftAnalyzedV1['data']>;
  /** Waits until every enqueued event is published and every analysis consumer has acked all it was given. */
  settled(): Promise<void>;
  /** Publishes an event as another service's relay would. */
  publish<K extends EventKey>(key: K, envId: number, data: DataOf<K>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Real ingest and analysis services on one database, one subject root and one set of streams:
 * context deliveries and scans enter through ingest's HTTP routes as their sources send them,
 * and analysis answers with drift.analyzed.
 */
export async function startPipeline(label: string): Promise<Pipeline> {
  const tdb: TestDatabase = await createTestDatabase(label);
  const suffix = randomBytes(4).toString('hex');
  const env = {
    DATABASE_URL: tdb.url,
    NATS_URL,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DG_SUBJECT_ROOT: `t${suffix}`,
    DG_STREAM_PREFIX: `T${suffix}_`,
    DG_SCAN_POLL_MS: '100',
    DG_INSTANCE_ID: `test-${suffix}`,
    DG_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
  };
  const log = createLogger({ level: 'silent', name: 'pipeline-test' });
  const ingestDb = createDb(tdb.url, { role: SERVICE_ROLES.ingest, max: 4, applicationName: 'driftguard-ingest-test' });
  const analysisDb = createDb(tdb.url, { role: SERVICE_ROLES.analysis, max: 4, applicationName: 'driftguard-analysis-test' });
  const services: Service[] = [];
  const ingest = await createIngestService(loadIngestConfig(env), { db: ingestDb, log });
  services.push(ingest);
  const { port } = await ingest.start();
  const analysis = await createAnalysisService(loadAnalysisConfig(env), { db: analysisDb, log });
  services.push(analysis);
  await analysis.start();
  const url = `http://127.0.0.1:${port}`;
  const org = await tdb.db
    .insertInto('organizations')
    .values({ name: `org-${suffix}`, slug: `org-${suffix}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const bus = await connectBus({
    url: NATS_URL,
    name: 'pipeline-test-client',
    config: { subjectRoot: env.DG_SUBJECT_ROOT, streamPrefix: env.DG_STREAM_PREFIX },
    log,
  });
  const stream = streamName({ streamPrefix: env.DG_STREAM_PREFIX }, 'DRIFT');

  const p: Pipeline = {
    db: tdb.db,
    orgId: org.id,
    bus,
    subjectRoot: env.DG_SUBJECT_ROOT,
    streamPrefix: env.DG_STREAM_PREFIX,
    async environment(slug, tags = { tier: 'production' }) {
      const row = await tdb.db
        .insertInto('environments')
        .values({
          organization_id: org.id,
          name: slug,
          slug,
          cloud_provider: 'aws',
          account_id: '123456789012',
          region: 'eu-west-1',
          tags: JSON.stringify(tags),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const t = generateToken();
      await tdb.db
        .insertInto('api_tokens')
        .values({
          organization_id: org.id,
          environment_id: row.id,
          name: 'scanner',
          token_prefix: t.prefix,
          token_hash: t.hash,
          role: 'scanner',
        })
        .execute();
      return { envId: row.id, token: t.token };
    },
    async context(e, source, body, headers = {}) {
      const res = await fetch(`${url}/v1/context/${source}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { authorization: `Bearer ${e.token}`, 'content-type': 'application/json', ...headers },
      });
      await res.arrayBuffer();
      return res.status;
    },
    async scan(e, format, body, full = false) {
      const res = await fetch(`${url}/v1/scans?format=${format}&full=${full}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { authorization: `Bearer ${e.token}`, 'content-type': 'application/json' },
      });
      const accepted = (await res.json()) as { scanId?: string };
      if (res.status !== 202 || !accepted.scanId) throw new Error(`scan refused: ${res.status} ${JSON.stringify(accepted)}`);
      const scanId = accepted.scanId;
      await waitUntil(async () => {
        const row = await tdb.db.selectFrom('scans').select('status').where('id', '=', scanId).executeTakeFirst();
        return row && ['completed', 'rejected', 'failed'].includes(row.status);
      });
      return scanId;
    },
    async analyzedOf(e) {
      const subject = subjectFor('drift.analyzed.v1', org.id, e.envId, env.DG_SUBJECT_ROOT);
      const out: DriftAnalyzedV1['data'][] = [];
      const info = await bus.jsm.streams.info(stream, { subjects_filter: subject }).catch(() => undefined);
      if (!info || (info.state.subjects?.[subject] ?? 0) === 0) return out;
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await bus.jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
        if (m?.subject === subject) out.push(DriftAnalyzedV1.parse(m.json()).data);
      }
      return out;
    },
    async waitAnalyzed(e, where = () => true) {
      return waitUntil(async () => (await p.analyzedOf(e)).find(where), 30_000);
    },
    async settled() {
      const keys = (Object.keys(catalog) as EventKey[]).filter(
        (k) => k.startsWith('context.') || k.startsWith('drift.detected') || k.startsWith('drift.resolved'),
      );
      await waitUntil(async () => {
        const unpublished = await tdb.db.selectFrom('outbox').select('id').where('published_at', 'is', null).limit(1).execute();
        if (unpublished.length > 0) return false;
        for (const key of keys) {
          const info = await bus.jsm.consumers
            .info(streamName({ streamPrefix: env.DG_STREAM_PREFIX }, catalog[key].stream), durableName('analysis', key))
            .catch(() => undefined);
          if (info && (info.num_pending > 0 || info.num_ack_pending > 0)) return false;
        }
        return true;
      });
    },
    async publish(key, envId, data) {
      const id = uuidv7();
      const envelope = { id, type: key.replace(/\.v1$/, ''), occurredAt: new Date().toISOString(), orgId: org.id, envId, data };
      await bus.js.publish(subjectFor(key, org.id, envId, env.DG_SUBJECT_ROOT), JSON.stringify(envelope), { msgID: id });
    },
    async stop() {
      for (const s of services.reverse()) await s.destroy();
      for (const name of Object.values(streamNames({ streamPrefix: env.DG_STREAM_PREFIX })))
        await bus.jsm.streams.delete(name).catch(() => undefined);
      await bus.close();
      await ingestDb.destroy();
      await analysisDb.destroy();
      await tdb.destroy();
    },
  };
  return p;
}
