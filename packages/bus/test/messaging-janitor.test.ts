import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { createMessagingJanitor } from '../src/index.js';
import { createBusFixture, type BusFixture } from './support/test-bus.fixture.js';

let fx: BusFixture;
beforeAll(async () => {
  fx = await createBusFixture('janitor');
});
afterAll(async () => {
  await fx?.cleanup();
});

const DAY = 24 * 3600 * 1000;

async function outboxRow(publishedDaysAgo: number | null, createdDaysAgo = 10) {
  const id = uuidv7();
  await sql`insert into outbox (id, subject, event_type, payload, created_at, published_at)
    values (${id}, 'x.y', 'drift.detected.v1', '{}'::jsonb, now() - make_interval(days => ${createdDaysAgo}),
      ${publishedDaysAgo === null ? null : sql`now() - make_interval(days => ${publishedDaysAgo})`})`.execute(fx.db);
  return id;
}

async function processed(daysAgo: number) {
  const id = uuidv7();
  await sql`insert into processed_messages (consumer, message_id, processed_at) values ('c', ${id}, now() - make_interval(days => ${daysAgo}))`.execute(
    fx.db,
  );
  return id;
}

it('prunes old published outbox rows and processed ids past redelivery, never unpublished rows', async () => {
  const oldPublished = await Promise.all([outboxRow(3), outboxRow(2)]);
  const recentPublished = await outboxRow(0);
  const unpublished = await outboxRow(null, 30);
  const staleIds = await Promise.all([processed(20), processed(9)]);
  const liveId = await processed(1);

  const janitor = createMessagingJanitor({ db: fx.db, bus: fx.bus, log: fx.log, outboxRetentionMs: DAY, batchSize: 1 });
  expect(await janitor.runOnce()).toEqual({ outbox: 2, processed: 2 });

  const outboxIds = (await fx.db.selectFrom('outbox').select('id').execute()).map((r) => r.id);
  expect(outboxIds).toEqual(expect.arrayContaining([recentPublished, unpublished]));
  for (const id of oldPublished) expect(outboxIds).not.toContain(id);
  const kept = (await fx.db.selectFrom('processed_messages').select('message_id').execute()).map((r) => r.message_id);
  expect(kept).toContain(liveId);
  for (const id of staleIds) expect(kept).not.toContain(id);

  // a retention shorter than what redelivery needs is raised to it
  const eager = createMessagingJanitor({ db: fx.db, bus: fx.bus, log: fx.log, processedRetentionMs: 1000 });
  expect(await eager.runOnce()).toEqual({ outbox: 0, processed: 0 });
});
