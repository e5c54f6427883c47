import { randomBytes } from 'node:crypto';
import { connectBus, ensureStreams, streamNames, type Bus } from '@driftguard/bus';
import { subjectFor, type DataOf, type EventKey, type Priority, type RecommendationType } from '@driftguard/contracts';
import { createDb, Keyring, sealChannelConfiguration, SERVICE_ROLES, type Database } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { secretFieldsOf } from '../src/channels/index.js';
import type { ChannelType } from '@driftguard/contracts';
import { loadNotifierConfig } from '../src/config.js';
import { createNotifierService } from '../src/service.js';

export const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** Timings short enough for tests; each test file may override them. */
export const FAST_TIMINGS: Record<string, string> = {
  DG_NOTIFIER_GROUP_WAIT_MS: '1500',
  DG_NOTIFIER_GROUP_INTERVAL_MS: '1000',
  DG_NOTIFIER_REPEAT_INTERVAL_MS: '3600000',
  DG_NOTIFIER_ANALYSIS_WAIT_MS: '1000',
  DG_NOTIFIER_RETRY_SCHEDULE_MS: '300,600,1200,2400,4800',
  DG_NOTIFIER_POLL_MS: '50',
  DG_NOTIFIER_LEASE_MS: '5000',
};

export interface NotifierWorld {
  tdb: TestDatabase;
  db: Kysely<Database>;
  orgId: number;
  envId: number;
  env: Record<string, string>;
  keyring: Keyring;
  bus: Bus;
  addEnvironment(slug: string, tags?: Record<string, string>): Promise<number>;
  addChannel(type: ChannelType, name: string, config: Record<string, unknown>, opts?: { isDefault?: boolean }): Promise<number>;
  publish<K extends EventKey>(key: K, data: DataOf<K>, opts?: { envId?: number }): Promise<string>;
  /** starts a notifier service in this process (several may run) */
  startService(): Promise<{ port: number; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

/**
 * A tenant, its database, subject root and streams, and notifier services acting as dg_notifier
 * against them. The environment map (`env`) is what a notifier process needs to join.
 */
export async function createNotifierWorld(label: string, timings: Record<string, string> = {}): Promise<NotifierWorld> {
  const tdb = await createTestDatabase(label);
  const suffix = randomBytes(4).toString('hex');
  const masterKey = `k1:${randomBytes(32).toString('base64')}`;
  const env: Record<string, string> = {
    DATABASE_URL: tdb.url,
    NATS_URL,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DG_SUBJECT_ROOT: `t${suffix}`,
    DG_STREAM_PREFIX: `T${suffix}_`,
    DG_MASTER_KEY: masterKey,
    DG_OUTBOUND_ALLOW: '127.0.0.1',
    ...FAST_TIMINGS,
    ...timings,
  };
  const slug = `org-${suffix}`;
  const org = await tdb.db.insertInto('organizations').values({ name: slug, slug }).returning('id').executeTakeFirstOrThrow();
  const bus = await connectBus({
    url: NATS_URL,
    name: 'notifier-test-client',
    config: { subjectRoot: env['DG_SUBJECT_ROOT'] ?? '', streamPrefix: env['DG_STREAM_PREFIX'] ?? '' },
    log: createLogger({ level: 'silent', name: 't' }),
  });
  // Streams exist before any notifier starts, so events published first wait for it.
  await ensureStreams(bus);
  const keyring = Keyring.parse(masterKey);
  const services: { stop(): Promise<void> }[] = [];
  const addEnvironment = async (envSlug: string, tags: Record<string, string> = { tier: 'production' }) => {
    const row = await tdb.db
      .insertInto('environments')
      .values({ organization_id: org.id, name: envSlug, slug: envSlug, cloud_provider: 'aws', tags: JSON.stringify(tags) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  const envId = await addEnvironment('prod');
  const world: NotifierWorld = {
    tdb,
    db: tdb.db,
    orgId: org.id,
    envId,
    env,
    keyring,
    bus,
    addEnvironment,
    async addChannel(type, name, config, opts = {}) {
      const configuration = sealChannelConfiguration(config, secretFieldsOf(type), keyring, {
        organizationId: org.id,
        channelName: name,
      });
      const row = await tdb.db
        .insertInto('notification_channels')
        .values({
          organization_id: org.id,
          name,
          channel_type: type,
          configuration: JSON.stringify(configuration),
          is_default: opts.isDefault ?? false,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async publish(key, data, opts = {}) {
      const id = uuidv7();
      const target = opts.envId ?? envId;
      const envelope = {
        id,
        type: key.replace(/\.v1$/, ''),
        occurredAt: new Date().toISOString(),
        orgId: org.id,
        envId: target,
        data,
      };
      await bus.js.publish(subjectFor(key, org.id, target, env['DG_SUBJECT_ROOT']), JSON.stringify(envelope), { msgID: id });
      return id;
    },
    async startService() {
      const serviceDb = createDb(tdb.url, { role: SERVICE_ROLES.notifier, max: 5, applicationName: 'driftguard-notifier-test' });
      const svc = await createNotifierService(loadNotifierConfig(env), {
        db: serviceDb,
        log: createLogger({ level: 'silent', name: 'notifier-test' }),
      });
      const { port } = await svc.start();
      const handle = {
        port,
        stop: async () => {
          await svc.destroy();
          await serviceDb.destroy();
        },
      };
      services.push(handle);
      return handle;
    },
    async stop() {
      for (const s of services) await s.stop();
      for (const name of Object.values(streamNames({ streamPrefix: env['DG_STREAM_PREFIX'] ?? '' })))
        await bus.jsm.streams.delete(name).catch(() => undefined);
      await bus.close();
      await tdb.destroy();
    },
  };
  return world;
}

let nextDrift = 1;

/** A recommendation.created as the recommender publishes it, for one drift. */
export function recommendation(
  opts: {
    driftEventId?: number;
    priority?: Priority;
    resourceType?: string;
    address?: string;
    securityCritical?: boolean;
    scanId?: string;
    type?: RecommendationType;
    severity?: number;
  } = {},
): DataOf<'recommendation.created.v1'> {
  const driftEventId = opts.driftEventId ?? nextDrift++;
  const priority = opts.priority ?? 'high';
  const type = opts.resourceType ?? 'aws_security_group';
  return {
    recommendationId: driftEventId + 100_000,
    driftEventId,
    recommendationType: opts.type ?? 'codify_iac',
    priority,
    confidenceScore: 0.8,
    rationale: 'The change was made outside Terraform; codify it or revert it.',
    implementationSteps: ['Review the change', 'Codify it in Terraform'],
    steps: [
      { title: 'Review the change', text: 'Compare the live rule with the declared one.' },
      { title: 'Codify it', text: 'Add the rule to the module.', command: 'terraform plan' },
    ],
    drift: {
      driftType: 'modified',
      resource: { type, address: opts.address ?? `${type}.r${driftEventId}`, provider: 'aws' },
      changedPaths: ['/ingress/0/cidr_blocks'],
      observedAt: new Date().toISOString(),
      changes: [
        {
          path: '/ingress/0/cidr_blocks',
          declared: ['10.0.0.0/8'],
          actual: ['0.0.0.0/0'],
          changeType: 'modified',
          sensitive: false,
          securityRuleIds: opts.securityCritical ? ['open-ingress'] : [],
        },
      ],
      isSecurityCritical: opts.securityCritical ?? false,
      ...(opts.scanId ? { scan: { id: opts.scanId, format: 'terraform-plan' as const } } : {}),
    },
    analysis: {
      severityScore: opts.severity ?? (priority === 'critical' ? 0.95 : priority === 'high' ? 0.75 : 0.4),
      confidenceScore: 0.8,
      priority,
      cause: { category: 'manual_troubleshooting', confidence: 0.7 },
      causeDetail: { method: 'rules', evidence: ['console change by alice 4 minutes before the scan'] },
      attribution: { principal: 'alice', userAgent: 'console.amazonaws.com', source: 'cloudtrail', sourceId: 'ev-1' },
      correlated: [],
    },
  };
}

/** Polls `check` until it returns a value (not undefined / false), or fails after `timeoutMs`. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
