import { randomBytes } from 'node:crypto';
import { connectBus, streamName, streamNames, type Bus } from '@driftguard/bus';
import { subjectFor, type DataOf, type EventKey, type StreamKey } from '@driftguard/contracts';
import { createDb, SERVICE_ROLES, type Database } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { loadRecommenderConfig } from '../src/config.js';
import { createRecommenderService } from '../src/service.js';

export const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

export interface RecommenderHarness {
  db: Kysely<Database>;
  /** the database URL, for api bootstrap functions and other roles */
  url: string;
  orgId: number;
  orgSlug: string;
  envId: number;
  subjectRoot: string;
  streamPrefix: string;
  bus: Bus;
  /** Publishes an event as another service's relay would; returns its envelope id. */
  publish<K extends EventKey>(key: K, data: DataOf<K>, opts?: { id?: string; msgId?: string }): Promise<string>;
  /** Opens a drift as ingest would (its row), returning its id. */
  openDrift(driftType?: 'modified' | 'deleted' | 'added' | 'moved', actualState?: unknown): Promise<number>;
  /** Every payload the stream holds on a subject, oldest first. */
  messagesOn(stream: StreamKey, key: EventKey): Promise<unknown[]>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** connections of the service's pool (default 5) */
  poolMax?: number;
  /** DG_RECOMMENDER_CONCURRENCY (default 8) */
  concurrency?: number;
  /** DG_RECOMMENDER_BATCH (default: the service's) */
  batch?: number;
  /** DG_RECOMMENDER_POLICY_CACHE_MS (default 0: a test sees the override it just stored) */
  policyCacheMs?: number;
  /** DG_RECOMMENDER_EXPIRY_INTERVAL_MS (default: the service's) */
  expiryIntervalMs?: number;
}

/**
 * A real recommender service acting as dg_recommender, with its own database, subject root and
 * streams, and one tenant. Policy overrides are read for every drift (no cache), so a test sees
 * the override it just stored.
 */
export async function startRecommender(label: string, opts: HarnessOptions = {}): Promise<RecommenderHarness> {
  const tdb: TestDatabase = await createTestDatabase(label);
  const suffix = randomBytes(4).toString('hex');
  const env = {
    DATABASE_URL: tdb.url,
    NATS_URL,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DG_SUBJECT_ROOT: `t${suffix}`,
    DG_STREAM_PREFIX: `T${suffix}_`,
    DG_RECOMMENDER_POLICY_CACHE_MS: String(opts.policyCacheMs ?? 0),
    DG_RECOMMENDER_CONCURRENCY: String(opts.concurrency ?? 8),
    ...(opts.batch !== undefined ? { DG_RECOMMENDER_BATCH: String(opts.batch) } : {}),
    ...(opts.expiryIntervalMs !== undefined ? { DG_RECOMMENDER_EXPIRY_INTERVAL_MS: String(opts.expiryIntervalMs) } : {}),
  };
  const serviceDb = createDb(tdb.url, {
    role: SERVICE_ROLES.recommender,
    max: opts.poolMax ?? 5,
    applicationName: 'driftguard-recommender-test',
  });
  const svc = await createRecommenderService(loadRecommenderConfig(env), {
    db: serviceDb,
    log: createLogger({ level: 'silent', name: 'recommender-test' }),
  });
  await svc.start();
  const slug = `org-${suffix}`;
  const org = await tdb.db.insertInto('organizations').values({ name: slug, slug }).returning('id').executeTakeFirstOrThrow();
  const environment = await tdb.db
    .insertInto('environments')
    .values({
      organization_id: org.id,
      name: 'shop',
      slug: 'shop',
      cloud_provider: 'aws',
      tags: JSON.stringify({ tier: 'production' }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const bus = await connectBus({
    url: NATS_URL,
    name: 'recommender-test-client',
    config: { subjectRoot: env.DG_SUBJECT_ROOT, streamPrefix: env.DG_STREAM_PREFIX },
    log: createLogger({ level: 'silent', name: 't' }),
  });
  const h: RecommenderHarness = {
    db: tdb.db,
    url: tdb.url,
    orgId: org.id,
    orgSlug: slug,
    envId: environment.id,
    subjectRoot: env.DG_SUBJECT_ROOT,
    streamPrefix: env.DG_STREAM_PREFIX,
    bus,
    async publish(key, data, opts = {}) {
      const id = opts.id ?? uuidv7();
      const type = key.replace(/\.v1$/, '');
      const envelope = { id, type, occurredAt: new Date().toISOString(), orgId: h.orgId, envId: h.envId, data };
      await bus.js.publish(subjectFor(key, h.orgId, h.envId, h.subjectRoot), JSON.stringify(envelope), {
        msgID: opts.msgId ?? id,
      });
      return id;
    },
    async openDrift(driftType = 'modified', actualState = null) {
      const row = await tdb.db
        .insertInto('drift_events')
        .values({ environment_id: h.envId, drift_type: driftType, actual_state: JSON.stringify(actualState) })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async messagesOn(stream, key) {
      const subject = subjectFor(key, h.orgId, h.envId, h.subjectRoot);
      const name = streamName({ streamPrefix: h.streamPrefix }, stream);
      const info = await bus.jsm.streams.info(name).catch(() => undefined);
      if (!info) return [];
      const out: unknown[] = [];
      // Test streams are small: read every message and keep the subject's.
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await bus.jsm.streams.getMessage(name, { seq }).catch(() => undefined);
        if (m?.subject !== subject) continue;
        const payload: unknown = m.json();
        out.push(payload);
      }
      return out;
    },
    async stop() {
      await svc.destroy();
      for (const name of Object.values(streamNames({ streamPrefix: env.DG_STREAM_PREFIX })))
        await bus.jsm.streams.delete(name).catch(() => undefined);
      await bus.close();
      await serviceDb.destroy();
      await tdb.destroy();
    },
  };
  return h;
}

/** Polls `check` until it returns a value (not undefined / false), or fails after `timeoutMs`. */
export async function waitUntil<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
