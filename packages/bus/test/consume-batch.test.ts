import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { consume, enqueue, PermanentError, type Consumption } from '../src/index.js';
import { driftResolve, envelope, publishDirect, repoSync } from './support/events.builder.js';
import { createBusFixture, waitFor, type BusFixture } from './support/test-bus.fixture.js';

/**
 * A consumer with `batch` takes the events already received together: those of one organization
 * share a transaction, and a batch that fails is settled one event at a time, so the others are
 * handled once and only the bad one is dead-lettered.
 */
describe('consume: events received together', () => {
  let fx: BusFixture;
  const consumptions: Consumption[] = [];

  beforeAll(async () => {
    fx = await createBusFixture('batch');
  });
  afterAll(async () => {
    for (const c of consumptions) await c.stop();
    await fx?.cleanup();
  });

  /** Each effect records the transaction and the organization it was written for. */
  const effects = async () =>
    (await fx.db.selectFrom('test_effects').select(['event_id', 'instance']).execute()).map((r) => {
      const [txid, org] = r.instance.split(':');
      return { eventId: r.event_id, txid: txid!, org: Number(org) };
    });

  it('handles the events of one organization in shared transactions, each once, and a failing one alone', async () => {
    // 60 events of two organizations, one of them poison and one delivered twice, all waiting before the consumer starts.
    const events = Array.from({ length: 60 }, (_, i) => ({ ...envelope('cmd.repo.sync.v1', repoSync(i)), orgId: 1 + (i % 2) }));
    const poison = events[17]!;
    for (const ev of events) await publishDirect(fx.bus, 'cmd.repo.sync.v1', ev, ev.id);
    await publishDirect(fx.bus, 'cmd.repo.sync.v1', events[4], `${events[4]!.id}-again`);

    const runs = new Map<string, number>();
    const consumption = await consume({
      db: fx.db,
      bus: fx.bus,
      log: fx.log,
      service: 'batched',
      key: 'cmd.repo.sync.v1',
      concurrency: 2,
      batch: 16,
      handler: async (event, { tx }) => {
        runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
        if (event.id === poison.id) throw new PermanentError('repository 18 is gone');
        await tx
          .insertInto('test_effects')
          .values({ event_id: event.id, instance: sql<string>`txid_current()::text || ':' || ${String(event.orgId)}` })
          .execute();
        // Each event also publishes one, through the outbox rows its batch writes together.
        await enqueue(tx, 'cmd.drift.resolve.v1', event.orgId, event.envId, driftResolve(event.data.repositoryId), {
          subjectRoot: fx.bus.config.subjectRoot,
        });
      },
    });
    consumptions.push(consumption);

    const deadLetters = () => fx.db.selectFrom('dead_letters').selectAll().where('consumer', '=', consumption.durable).execute();
    await waitFor(async () => (await effects()).length === 59 && (await deadLetters()).length === 1, 'all events settled');
    const written = await effects();
    // Each event's effect exactly once, the poison's never, the duplicate delivery's once.
    expect(new Set(written.map((e) => e.eventId)).size).toBe(59);
    expect(written.map((e) => e.eventId).sort()).toEqual(
      events
        .filter((e) => e.id !== poison.id)
        .map((e) => e.id)
        .sort(),
    );
    const [letter] = await deadLetters();
    expect(letter).toMatchObject({ message_id: poison.id, error_code: 'permanent_failure' });
    expect(letter!.error).toContain('repository 18 is gone');

    // Events shared transactions, and a transaction never mixed organizations.
    const byTx = new Map<string, Set<number>>();
    for (const e of written) byTx.set(e.txid, (byTx.get(e.txid) ?? new Set()).add(e.org));
    expect(byTx.size).toBeLessThan(59);
    for (const orgs of byTx.values()) expect(orgs.size).toBe(1);
    // One outbox row per handled event, none for the poison's rolled-back attempts.
    const outbox = await fx.db.selectFrom('outbox').select('payload').where('event_type', '=', 'cmd.drift.resolve.v1').execute();
    const Published = z.object({ data: z.object({ driftEventId: z.number() }) });
    const resolved = outbox.map((r) => Published.parse(r.payload).data.driftEventId).sort((a, b) => a - b);
    expect(resolved).toEqual(
      events
        .filter((e) => e.id !== poison.id)
        .map((e) => e.data.repositoryId + 1)
        .sort((a, b) => a - b),
    );
    // Whatever ran beside the poison ran again alone after its batch was rolled back, and wrote once.
    expect(runs.get(poison.id)).toBeGreaterThanOrEqual(1);
  });

  it('gives a handleBatch handler the waiting events of one organization together, each once, and a failing batch alone', async () => {
    // The first test's consumer would take these events too (its durable reads the same subject).
    for (const c of consumptions.splice(0)) await c.stop();
    // 40 events of one organization waiting before the consumer starts, one of them poison and one delivered twice.
    const events = Array.from({ length: 40 }, (_, i) => ({ ...envelope('cmd.repo.sync.v1', repoSync(100 + i)), orgId: 3 }));
    const poison = events[25]!;
    for (const ev of events) await publishDirect(fx.bus, 'cmd.repo.sync.v1', ev, ev.id);
    await publishDirect(fx.bus, 'cmd.repo.sync.v1', events[2], `${events[2]!.id}-again`);

    // The stream still holds the first test's events: this consumer leaves them be.
    const mine = new Set(events.map((e) => e.id));
    const calls: number[] = [];
    const consumption = await consume({
      db: fx.db,
      bus: fx.bus,
      log: fx.log,
      service: 'set-based',
      key: 'cmd.repo.sync.v1',
      concurrency: 1,
      batch: 16,
      handleBatch: async (all, tx, log) => {
        const items = all.filter((i) => mine.has(i.event.id));
        if (items.length === 0) return;
        calls.push(items.length);
        if (items.some((i) => i.event.id === poison.id)) throw new PermanentError('repository 125 is gone');
        // One statement for the whole batch.
        await tx
          .insertInto('test_effects')
          .values(
            items.map((i) => ({
              event_id: i.event.id,
              instance: sql<string>`txid_current()::text || ':' || ${String(i.event.orgId)}`,
            })),
          )
          .execute();
        log.debug({ events: items.length }, 'batch handled');
      },
    });
    consumptions.push(consumption);

    const written = async () => (await effects()).filter((e) => mine.has(e.eventId));
    const deadLetters = () => fx.db.selectFrom('dead_letters').selectAll().where('consumer', '=', consumption.durable).execute();
    await waitFor(async () => (await written()).length === 39 && (await deadLetters()).length === 1, 'all events settled');
    const rows = await written();
    expect(rows.map((e) => e.eventId).sort()).toEqual(
      events
        .filter((e) => e.id !== poison.id)
        .map((e) => e.id)
        .sort(),
    );
    // Several events per call and per transaction; the poison's batch retried one event per call.
    expect(Math.max(...calls)).toBeGreaterThan(1);
    expect(new Set(rows.map((r) => r.txid)).size).toBeLessThan(39);
    expect(calls.filter((n) => n === 1).length).toBeGreaterThanOrEqual(1);
    const [letter] = await deadLetters();
    expect(letter).toMatchObject({ message_id: poison.id, error_code: 'permanent_failure' });
  });
});
