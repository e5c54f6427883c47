import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BusConfigError,
  connectBus,
  consumerConfig,
  createOutboxRelay,
  durableName,
  ensureStreams,
  eventStreamKeys,
  resolveBusConfig,
  streamNames,
} from '../src/index.js';
import { createBusFixture, NATS_URL, type BusFixture } from './support/test-bus.fixture.js';

describe('streams and configuration', () => {
  let fx: BusFixture;

  beforeAll(async () => {
    fx = await createBusFixture('streams');
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('declares one stream per catalog stream plus the DLQ, and re-running changes nothing', async () => {
    const names = streamNames(fx.bus.config);
    expect(Object.keys(names).sort()).toEqual(['CMD', 'CONTEXT', 'DLQ', 'DRIFT', 'RECOMMENDATION', 'REMEDIATION', 'SCAN']);
    const again = await ensureStreams(fx.bus);
    expect(Object.values(again).every((a) => a === 'unchanged')).toBe(true);

    const drift = await fx.bus.jsm.streams.info(names.DRIFT);
    const root = fx.bus.config.subjectRoot;
    expect(drift.config).toMatchObject({
      subjects: [`${root}.drift.>`],
      storage: 'file',
      discard: 'old',
      num_replicas: 1,
      duplicate_window: 2 * 3_600_000 * 1_000_000,
    });
    expect((await fx.bus.jsm.streams.info(names.DLQ)).config.subjects).toEqual([`${root}.dlq.>`]);
  });

  it('updates a stream whose declared limits changed', async () => {
    const other = await connectBus({
      url: NATS_URL,
      name: 'streams-update',
      config: { ...fx.busConfig, maxAgeMs: 86_400_000 },
      log: fx.log,
    });
    try {
      const result = await ensureStreams(other);
      expect(Object.values(result).filter((a) => a === 'updated')).toHaveLength(eventStreamKeys.length); // every stream but the DLQ
      const info = await other.jsm.streams.info(streamNames(other.config).SCAN);
      expect(info.config.max_age).toBe(86_400_000 * 1_000_000);
    } finally {
      await ensureStreams(fx.bus);
      await other.close();
      await other.close(); // safe twice
    }
  });

  it('names one durable per service and event, shared by every instance', () => {
    expect(durableName('ingest', 'scan.submitted.v1')).toBe('ingest_scan-submitted-v1');
    expect(consumerConfig(fx.bus, 'analysis', 'drift.detected.v1', { ackWaitMs: 30_000, maxDeliver: 5 })).toMatchObject({
      durable_name: 'analysis_drift-detected-v1',
      filter_subject: `${fx.bus.config.subjectRoot}.drift.detected.v1.*.*`,
      ack_policy: 'explicit',
      ack_wait: 30_000 * 1_000_000,
      max_deliver: 6,
    });
    expect(() => durableName('In gest', 'scan.submitted.v1')).toThrow(/service/);
  });

  it('refuses a dedup window that the relay could outlast', () => {
    expect(() => resolveBusConfig({ duplicateWindowMs: 8 * 86_400_000 })).toThrow(BusConfigError);
    const shortWindow = { ...fx.bus, config: resolveBusConfig({ ...fx.busConfig, duplicateWindowMs: 60_000 }) };
    expect(() => createOutboxRelay({ db: fx.db, bus: shortWindow, log: fx.log })).toThrow(/retry horizon/);
    expect(() => createOutboxRelay({ db: fx.db, bus: fx.bus, log: fx.log, leaseMs: 1_000, publishTimeoutMs: 5_000 })).toThrow(
      /leaseMs/,
    );
  });

  it('answers a readiness ping', async () => {
    expect(await fx.bus.ping()).toBeGreaterThanOrEqual(0);
  });
});
