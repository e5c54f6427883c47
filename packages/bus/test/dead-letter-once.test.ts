import { catalog } from '@driftguard/contracts';
import { createDb } from '@driftguard/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consume, streamName, type Consumption } from '../src/index.js';
import { publishDirect } from './support/events.builder.js';
import { createBusFixture, waitFor, type BusFixture } from './support/test-bus.fixture.js';

// A message JetStream delivers again while its dead letter is being written (a slow database, or
// an instance killed between writing the dead letter and terminating the message) is still
// dead-lettered once.

describe('consume: a dead letter is written once per message', () => {
  let fx: BusFixture;
  let consumption: Consumption | undefined;

  beforeAll(async () => {
    fx = await createBusFixture('dead_letter_once');
  });
  afterAll(async () => {
    await consumption?.stop();
    await fx?.cleanup();
  });

  it('keeps one dead letter when the message is redelivered before the first one is written', async () => {
    const key = 'cmd.drift.resolve.v1' as const;
    consumption = await consume({
      db: fx.db,
      bus: fx.bus,
      log: fx.log,
      service: 'once',
      key,
      ackWaitMs: 1_000,
      handler: async () => {},
    });
    const durable = consumption.durable;
    const info = () => fx.bus.jsm.consumers.info(streamName(fx.bus.config, catalog[key].stream), durable);
    const letters = () =>
      fx.db.selectFrom('dead_letters').select(['id', 'delivery_count']).where('consumer', '=', durable).execute();

    // The database holds every dead-letter insert back until JetStream has delivered the message again.
    const blocker = createDb(fx.url, { max: 1 });
    await blocker.transaction().execute(async (tx) => {
      await sql`LOCK TABLE dead_letters IN SHARE ROW EXCLUSIVE MODE`.execute(tx);
      await publishDirect(fx.bus, key, '{"id": "cut short', 'poison-once');
      await waitFor(async () => (await info()).num_redelivered > 0, 'the message delivered again', 20_000);
    });
    await blocker.destroy();

    await waitFor(async () => (await letters()).length > 0, 'the dead letter', 20_000);
    await waitFor(async () => {
      const i = await info();
      return i.num_ack_pending + i.num_pending === 0;
    }, 'the message settled');
    // a second delivery still in hand would write its row now
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await letters()).toHaveLength(1);
  });
});
