import { randomBytes } from 'node:crypto';
import { connectBus, streamName, streamNames, type Bus } from '@driftguard/bus';
import { subjectFor, type DataOf, type EventKey } from '@driftguard/contracts';
import { createDb, SERVICE_ROLES, type Database } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { loadAnalysisConfig } from '../src/config.js';
import { createAnalysisService } from '../src/service.js';

export const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

export interface AnalysisHarness {
  db: Kysely<Database>;
  orgId: number;
  envId: number;
  subjectRoot: string;
  streamPrefix: string;
  bus: Bus;
  /** Publishes an event as another service's relay would; returns its envelope id. */
  publish<K extends EventKey>(key: K, data: DataOf<K>, opts?: { id?: string; msgId?: string }): Promise<string>;
  stop(): Promise<void>;
}

/** A real analysis service acting as dg_analysis, with its own database, subject root and streams, and one tenant. */
export async function startAnalysis(
  label: string,
  envTags: Record<string, string> = { tier: 'production' },
): Promise<AnalysisHarness> {
  const tdb: TestDatabase = await createTestDatabase(label);
  const suffix = randomBytes(4).toString('hex');
  const env = {
    DATABASE_URL: tdb.url,
    NATS_URL,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DG_SUBJECT_ROOT: `t${suffix}`,
    DG_STREAM_PREFIX: `T${suffix}_`,
  };
  const serviceDb = createDb(tdb.url, { role: SERVICE_ROLES.analysis, max: 5, applicationName: 'driftguard-analysis-test' });
  const svc = await createAnalysisService(loadAnalysisConfig(env), {
    db: serviceDb,
    log: createLogger({ level: 'silent', name: 'analysis-test' }),
  });
  await svc.start();
  const slug = `org-${suffix}`;
  const org = await tdb.db.insertInto('organizations').values({ name: slug, slug }).returning('id').executeTakeFirstOrThrow();
  const environment = await tdb.db
    .insertInto('environments')
    .values({ organization_id: org.id, name: 'shop', slug: 'shop', cloud_provider: 'aws', tags: JSON.stringify(envTags) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const bus = await connectBus({
    url: NATS_URL,
    name: 'analysis-test-client',
    config: { subjectRoot: env.DG_SUBJECT_ROOT, streamPrefix: env.DG_STREAM_PREFIX },
    log: createLogger({ level: 'silent', name: 't' }),
  });
  const h: AnalysisHarness = {
    db: tdb.db,
    orgId: org.id,
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

/** Number of messages the DRIFT stream holds on one subject. */
export async function messagesOn(h: AnalysisHarness, subject: string): Promise<number> {
  const info = await h.bus.jsm.streams.info(streamName({ streamPrefix: h.streamPrefix }, 'DRIFT'), { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}
