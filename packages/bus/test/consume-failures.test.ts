import { dlqSubject } from '@driftguard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consume, listDeadLetters, PermanentError, replayDeadLetter, streamName, type Consumption } from '../src/index.js';
import { driftResolve, envelope, publishDirect, repoSync } from './support/events.builder.js';
import { createBusFixture, waitFor, type BusFixture } from './support/test-bus.fixture.js';

describe('consume: failures, dead letters and replay', () => {
  let fx: BusFixture;
  const consumptions: Consumption[] = [];

  beforeAll(async () => {
    fx = await createBusFixture('failures');
  });
  afterAll(async () => {
    for (const c of consumptions) await c.stop();
    await fx?.cleanup();
  });

  const effectsOf = async (eventId: string) =>
    (await fx.db.selectFrom('test_effects').select('instance').where('event_id', '=', eventId).execute()).length;
  const deadLettersOf = (consumer: string) =>
    fx.db.selectFrom('dead_letters').selectAll().where('consumer', '=', consumer).orderBy('id').execute();

  it('retries a failing handler with growing delays, dead-letters it with its error, and replays it once fixed', async () => {
    let failing = true;
    const deliveries: { at: number; count: number }[] = [];
    const consumption = await consume({
      db: fx.db,
      bus: fx.bus,
      log: fx.log,
      service: 'flaky',
      key: 'cmd.repo.sync.v1',
      maxDeliver: 4,
      backoffMs: 250,
      handler: async (event, { tx, deliveryCount }) => {
        deliveries.push({ at: Date.now(), count: deliveryCount });
        if (failing) throw new Error('git host unavailable');
        await tx.insertInto('test_effects').values({ event_id: event.id, instance: 'flaky' }).execute();
      },
    });
    consumptions.push(consumption);
    const ev = envelope('cmd.repo.sync.v1', repoSync(1));
    await publishDirect(fx.bus, 'cmd.repo.sync.v1', ev, ev.id);

    await waitFor(async () => (await deadLettersOf(consumption.durable)).length === 1, 'the dead letter', 20_000);
    expect(deliveries.map((d) => d.count)).toEqual([1, 2, 3, 4]);
    const gaps = deliveries.slice(1).map((d, i) => d.at - deliveries[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(240);
    expect(gaps[1]).toBeGreaterThan(gaps[0]! * 1.5);
    expect(gaps[2]).toBeGreaterThan(gaps[1]! * 1.5);

    const [letter] = await deadLettersOf(consumption.durable);
    expect(letter).toMatchObject({
      service: 'flaky',
      message_id: ev.id,
      error_code: 'retries_exhausted',
      delivery_count: 4,
      replay_count: 0,
      replayed_at: null,
    });
    expect(letter!.error).toContain('git host unavailable');
    expect(JSON.parse(letter!.payload)).toEqual(ev);

    // the copy on dg.dlq.<service> carries the error and the delivery count
    const copy = await fx.bus.jsm.streams.getMessage(streamName(fx.bus.config, 'DLQ'), {
      last_by_subj: dlqSubject('flaky', fx.bus.config.subjectRoot),
    });
    expect(copy!.header.get('DG-Error')).toContain('git host unavailable');
    expect(copy!.header.get('DG-Delivery-Count')).toBe('4');
    expect(copy!.header.get('DG-Dead-Letter-Id')).toBe(String(letter!.id));
    expect(copy!.json()).toEqual(ev);
    expect(await effectsOf(ev.id)).toBe(0);

    failing = false;
    const replay = await replayDeadLetter(fx.db, fx.bus, Number(letter!.id));
    expect(replay.deadLetter).toMatchObject({ replayCount: 1, messageId: ev.id });
    expect(replay.deadLetter.replayedAt).toBeInstanceOf(Date);
    await waitFor(async () => (await effectsOf(ev.id)) === 1, 'the replayed event to be processed');
    expect(deliveries.at(-1)!.count).toBe(1);

    expect((await listDeadLetters(fx.db, { service: 'flaky' })).map((d) => d.id)).toEqual([]);
    const all = await listDeadLetters(fx.db, { service: 'flaky', includeReplayed: true });
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: Number(letter!.id), errorCode: 'retries_exhausted', deliveryCount: 4, replayCount: 1 });
  });

  it('dead-letters an invalid payload at once and keeps consuming', async () => {
    const key = 'cmd.drift.resolve.v1' as const;
    const handled: string[] = [];
    const consumption = await consume({
      db: fx.db,
      bus: fx.bus,
      log: fx.log,
      service: 'strict',
      key,
      maxDeliver: 5,
      backoffMs: 100,
      handler: async (event, { tx }) => {
        handled.push(event.id);
        if (event.data.note === 'reject') throw new PermanentError('drift event 3 belongs to another organization');
        await tx.insertInto('test_effects').values({ event_id: event.id, instance: 'strict' }).execute();
      },
    });
    consumptions.push(consumption);

    await publishDirect(fx.bus, key, '{"id": "truncated', 'broken-1');
    const wrongShape = { ...envelope(key, driftResolve(1)), data: { driftEventId: 'seven', resolutionType: 'fixed' } };
    await publishDirect(fx.bus, key, wrongShape, wrongShape.id);
    const rejected = envelope(key, driftResolve(2, 'reject'));
    await publishDirect(fx.bus, key, rejected, rejected.id);
    const valid = [0, 1, 2].map((i) => envelope(key, driftResolve(10 + i)));
    for (const ev of valid) await publishDirect(fx.bus, key, ev, ev.id);

    await waitFor(async () => (await deadLettersOf(consumption.durable)).length === 3, 'three dead letters');
    for (const ev of valid) await waitFor(async () => (await effectsOf(ev.id)) === 1, `valid event ${ev.id}`);

    // Messages are settled concurrently: the letters are told apart by their code, not their order.
    const letters = await deadLettersOf(consumption.durable);
    expect(letters.map((l) => [l.error_code, l.delivery_count]).sort()).toEqual([
      ['contract_violation', 1],
      ['invalid_json', 1],
      ['permanent_failure', 1],
    ]);
    const letterOf = (code: string) => letters.find((l) => l.error_code === code)!;
    expect(letterOf('invalid_json').payload).toBe('{"id": "truncated');
    expect(letterOf('invalid_json').message_id).toBeNull();
    expect(letterOf('contract_violation').error).toMatch(/data\.driftEventId/);
    expect(letterOf('contract_violation').error).toMatch(/data\.resolutionType/);
    expect(letterOf('permanent_failure').error).toContain('another organization');
    // the handler never saw the invalid payloads, and saw the rejected one once
    expect(handled.filter((id) => id === rejected.id)).toHaveLength(1);
    expect(handled).not.toContain(wrongShape.id);
  });
});
