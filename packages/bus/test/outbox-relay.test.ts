import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consume, createOutboxRelay, streamName, type Consumption } from '../src/index.js';
import { spawnFixture, type Child } from './support/child-process.js';
import { recordEffect } from './support/effect.handler.js';
import { enqueueMany } from './support/events.builder.js';
import { createBusFixture, NATS_URL, waitFor, type BusFixture } from './support/test-bus.fixture.js';

const TOTAL = 10_000;
const LEASE_MS = 4_000;

describe('outbox relay', () => {
  let fx: BusFixture;
  let consumption: Consumption;

  beforeAll(async () => {
    fx = await createBusFixture('relay');
    consumption = await consume({
      db: fx.db,
      bus: fx.bus,
      log: fx.log,
      service: 'sink',
      key: 'cmd.repo.sync.v1',
      handler: recordEffect('sink'),
      concurrency: 16,
    });
  });

  afterAll(async () => {
    await consumption?.stop();
    await fx?.cleanup();
  });

  const outboxState = async () => {
    const r = await fx.db
      .selectFrom('outbox')
      .select((eb) => [
        eb.fn.countAll<string>().as('rows'),
        sql<string>`count(*) filter (where published_at is not null)`.as('published'),
        sql<string>`count(*) filter (where published_at is null and claimed_until > now())`.as('leased'),
        sql<string>`coalesce(sum(attempts), 0)`.as('attempts'),
      ])
      .executeTakeFirstOrThrow();
    return { rows: Number(r.rows), published: Number(r.published), leased: Number(r.leased), attempts: Number(r.attempts) };
  };

  const spawnRelay = (): Child =>
    spawnFixture('relay.child.ts', {
      DATABASE_URL: fx.url,
      NATS_URL,
      BUS_CONFIG: JSON.stringify(fx.busConfig),
      LEASE_MS: String(LEASE_MS),
      BATCH_SIZE: '100',
    });

  it('delivers 10,000 events exactly once while relays are killed, restarted and run side by side', async () => {
    const writing = enqueueMany(fx.db, fx.bus, TOTAL);

    // SIGKILL relays mid-batch until one dies holding leased, unpublished rows.
    const orphaned: string[] = [];
    for (let round = 1; round <= 4 && orphaned.length === 0; round++) {
      const relay = spawnRelay();
      await relay.ready;
      const target = (await outboxState()).published + 1_000;
      await waitFor(async () => {
        const s = await outboxState();
        return s.published >= Math.min(target, TOTAL - 1_000) && s.leased > 0;
      }, 'the relay to be mid-batch');
      relay.proc.kill('SIGKILL');
      expect((await relay.exited).signal).toBe('SIGKILL');
      const stranded = await fx.db
        .selectFrom('outbox')
        .select('id')
        .where('published_at', 'is', null)
        .where('claimed_until', '>', sql<Date>`now()`)
        .execute();
      orphaned.push(...stranded.map((r) => r.id));
    }
    expect(orphaned.length).toBeGreaterThan(0);

    // Two relays at once for a while: a child process and one in this process.
    const childRelay = spawnRelay();
    const localRelay = createOutboxRelay({
      db: fx.db,
      bus: fx.bus,
      log: fx.log,
      batchSize: 100,
      leaseMs: LEASE_MS,
      publishTimeoutMs: LEASE_MS / 2,
      pollIntervalMs: 200,
      listenUrl: fx.url,
    });
    localRelay.start();
    await childRelay.ready;
    await waitFor(async () => (await outboxState()).published >= TOTAL * 0.7, '70 % published', 90_000, 250);
    await localRelay.stop();

    await writing;
    await waitFor(async () => (await outboxState()).published === TOTAL, 'every row published', 90_000, 250);
    childRelay.proc.kill('SIGTERM');
    expect((await childRelay.exited).code).toBe(0);

    await waitFor(async () => (await fx.effectCounts()).total >= TOTAL, 'every event processed', 90_000, 250);
    await new Promise((r) => setTimeout(r, 500)); // a late duplicate would land now
    expect(await fx.effectCounts()).toEqual({ total: TOTAL, distinct: TOTAL });

    // Rows stranded by the kill were claimed again after their lease; any other row was claimed
    // once, unless its publish failed and was retried: concurrent relays never shared rows.
    const state = await outboxState();
    expect(state).toMatchObject({ rows: TOTAL, published: TOTAL, leased: 0 });
    const stranded = new Set(orphaned);
    const rows = await fx.db.selectFrom('outbox').select(['id', 'attempts', 'last_error']).execute();
    expect(rows.filter((r) => stranded.has(r.id) && r.attempts < 2)).toEqual([]);
    expect(rows.filter((r) => !stranded.has(r.id) && r.attempts > 1 && r.last_error === null)).toEqual([]);

    // Whatever the killed relay had already published was dropped by JetStream's dedup.
    const stream = await fx.bus.jsm.streams.info(streamName(fx.bus.config, 'CMD'));
    expect(stream.state.messages).toBe(TOTAL);
    const ledger = await fx.db
      .selectFrom('processed_messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(ledger.n)).toBe(TOTAL);
  });
});
