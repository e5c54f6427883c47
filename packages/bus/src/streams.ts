import { catalog, streamSubjects, type StreamKey } from '@driftguard/contracts';
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { BusConfig } from './bus.config.js';
import type { Bus } from './bus.connection.js';

/** Event streams, one per catalog stream key, plus the dead-letter stream. */
export const eventStreamKeys: readonly StreamKey[] = [...new Set(Object.values(catalog).map((e) => e.stream))];

export type BusStreamKey = StreamKey | 'DLQ';

/** `DG_DRIFT`, `DG_DLQ`, …: the stream name for a key under the configured prefix. */
export function streamName(config: Pick<BusConfig, 'streamPrefix'>, key: BusStreamKey): string {
  return `${config.streamPrefix}${key}`;
}

/** Every stream the bus declares, by key. */
export function streamNames(config: Pick<BusConfig, 'streamPrefix'>): Record<BusStreamKey, string> {
  const keys: BusStreamKey[] = [...eventStreamKeys, 'DLQ'];
  return Object.fromEntries(keys.map((k) => [k, streamName(config, k)])) as Record<BusStreamKey, string>;
}

type DeclaredStream = Pick<
  StreamConfig,
  'name' | 'subjects' | 'retention' | 'storage' | 'discard' | 'max_age' | 'max_bytes' | 'duplicate_window' | 'num_replicas'
>;

/** The declared configuration of one stream. Storage is file and discard is old for every stream. */
export function streamConfig(config: BusConfig, key: BusStreamKey): DeclaredStream {
  const dlq = key === 'DLQ';
  return {
    name: streamName(config, key),
    subjects: dlq ? [`${config.subjectRoot}.dlq.>`] : streamSubjects(key, config.subjectRoot),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(dlq ? config.dlqMaxAgeMs : config.maxAgeMs),
    max_bytes: config.maxBytes,
    duplicate_window: nanos(config.duplicateWindowMs),
    num_replicas: config.replicas,
  };
}

export type EnsureAction = 'created' | 'updated' | 'unchanged';

/**
 * Creates or updates every stream so that it matches its declaration. Idempotent, safe to run
 * from several instances at once; storage cannot change on an existing stream (JetStream refuses).
 */
export async function ensureStreams(bus: Bus): Promise<Record<string, EnsureAction>> {
  const result: Record<string, EnsureAction> = {};
  for (const key of [...eventStreamKeys, 'DLQ'] as const) {
    const wanted = streamConfig(bus.config, key);
    result[wanted.name] = await ensureStream(bus, wanted);
  }
  bus.log.info({ streams: result }, 'streams ensured');
  return result;
}

async function ensureStream(bus: Bus, wanted: DeclaredStream): Promise<EnsureAction> {
  const current = await streamInfo(bus, wanted.name);
  if (!current) {
    try {
      await bus.jsm.streams.add(wanted);
      return 'created';
    } catch (err) {
      // another instance created it between our lookup and add: fall through to compare
      if (!(await streamInfo(bus, wanted.name))) throw err;
      return ensureStream(bus, wanted);
    }
  }
  if (current.storage !== wanted.storage) {
    bus.log.warn(
      { stream: wanted.name, storage: current.storage },
      'stream storage differs from its declaration; JetStream cannot change it in place',
    );
  }
  const updatable = ['subjects', 'discard', 'max_age', 'max_bytes', 'duplicate_window', 'num_replicas'] as const;
  if (updatable.every((k) => JSON.stringify(current[k]) === JSON.stringify(wanted[k]))) return 'unchanged';
  // the client merges these into the stream's current configuration
  await bus.jsm.streams.update(wanted.name, Object.fromEntries(updatable.map((k) => [k, wanted[k]])));
  return 'updated';
}

async function streamInfo(bus: Bus, name: string): Promise<StreamConfig | undefined> {
  try {
    return (await bus.jsm.streams.info(name)).config;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw err;
  }
}
