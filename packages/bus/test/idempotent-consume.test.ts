import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consume, streamName } from '../src/index.js';
import { envelope, publishDirect, repoSync } from './support/events.builder.js';
import { createBusFixture, waitFor, type BusFixture } from './support/test-bus.fixture.js';

describe('idempotent consume', () => {
  let fx: BusFixture;

  beforeAll(async () => {
    fx = await createBusFixture('idempotent');
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('drops a republish with the same Nats-Msg-Id inside the dedup window', async () => {
    const ev = envelope('cmd.repo.sync.v1', repoSync(0));
    const subject = `${fx.bus.config.subjectRoot}.cmd.repo.sync.v1.1.1`;
    const first = await fx.bus.js.publish(subject, JSON.stringify(ev), { msgID: ev.id });
    const again = await fx.bus.js.publish(subject, JSON.stringify(ev), { msgID: ev.id });
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, seq: first.seq });
  });

  it('takes effect once when one envelope arrives under several Nats-Msg-Ids', async () => {
    const ev = envelope('cmd.repo.sync.v1', repoSync(1));
    const later = envelope('cmd.repo.sync.v1', repoSync(2));
    const calls = new Map<string, number>();
    const consumption = await consume({
      db: fx.db,
      bus: fx.bus,
      log: fx.log,
      service: 'idem',
      key: 'cmd.repo.sync.v1',
      handler: async (event, { tx }) => {
        calls.set(event.id, (calls.get(event.id) ?? 0) + 1);
        await tx.insertInto('test_effects').values({ event_id: event.id, instance: 'idem' }).execute();
      },
    });
    const before = (await fx.bus.jsm.streams.info(streamName(fx.bus.config, 'CMD'))).state.messages;

    await publishDirect(fx.bus, 'cmd.repo.sync.v1', ev, ev.id);
    await publishDirect(fx.bus, 'cmd.repo.sync.v1', ev, `${ev.id}:replay:1`);
    await publishDirect(fx.bus, 'cmd.repo.sync.v1', ev, `${ev.id}:replay:2`);
    await publishDirect(fx.bus, 'cmd.repo.sync.v1', later, later.id);

    // all three copies are in the stream (no dedup saved us) ...
    expect((await fx.bus.jsm.streams.info(streamName(fx.bus.config, 'CMD'))).state.messages).toBe(before + 4);
    // ... and every message, the first test's included, is settled
    await waitFor(async () => {
      const info = await fx.bus.jsm.consumers.info(streamName(fx.bus.config, 'CMD'), consumption.durable);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, 'the consumer to settle every message');
    await consumption.stop();

    expect(calls.get(ev.id)).toBe(1);
    expect(calls.get(later.id)).toBe(1);
    const effects = await fx.db.selectFrom('test_effects').select('event_id').where('event_id', '=', ev.id).execute();
    expect(effects).toHaveLength(1);
    const ledger = await fx.db
      .selectFrom('processed_messages')
      .selectAll()
      .where('consumer', '=', consumption.durable)
      .where('message_id', '=', ev.id)
      .execute();
    expect(ledger).toHaveLength(1);
  });
});
