import { afterAll, beforeAll, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { dg, envelope, startIngest, waitUntil, type IngestHarness } from './harness.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('outbox_dlq');
});
afterAll(async () => {
  await (await h?.bus())?.jsm.streams.delete(`${h.streamPrefix}NOWHERE`).catch(() => false);
  await h?.stop();
});

it("dead-letters at once an event no stream captures, shows it in dg dlq list as the service's, and dg dlq replay publishes it once a stream does", async () => {
  const cli = {
    DATABASE_URL: h.env['DATABASE_URL']!,
    NATS_URL: h.env['NATS_URL']!,
    DG_SUBJECT_ROOT: h.subjectRoot,
    DG_STREAM_PREFIX: h.streamPrefix,
  };
  const subject = `${h.subjectRoot}.nowhere.v1.${h.tenant.orgId}.${h.tenant.envId}`;
  const id = uuidv7();
  const body = { ...envelope('cmd.repo.sync', h.tenant.orgId, h.tenant.envId, { repositoryId: 1 }), id };
  // What a publisher built for a subject no stream declares: the ingest service's own relay meets it.
  await h.db
    .insertInto('outbox')
    .values({ id, subject, event_type: 'cmd.repo.sync.v1', payload: JSON.stringify(body), headers: '{}' })
    .execute();

  const letter = await waitUntil(
    async () => (await h.db.selectFrom('dead_letters').selectAll().where('message_id', '=', id).executeTakeFirst()) ?? undefined,
  );
  expect(letter).toMatchObject({
    service: 'ingest',
    consumer: 'outbox-relay',
    error_code: 'no_stream',
    delivery_count: 1,
    subject,
  });
  expect(await h.db.selectFrom('outbox').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();

  const list = await dg(['dlq', 'list', '--service', 'ingest'], cli);
  expect(list.code).toBe(0);
  const line = list.stdout.split('\n').find((l) => l.startsWith(`${letter.id}\t`));
  expect(line).toMatch(/outbox-relay/);
  expect(line).toMatch(/no_stream/);

  const bus = await h.bus();
  await bus.jsm.streams.add({ name: `${h.streamPrefix}NOWHERE`, subjects: [`${h.subjectRoot}.nowhere.>`] });
  const replay = await dg(['dlq', 'replay', letter.id], cli);
  expect(replay.stderr).toBe('');
  expect(replay.code).toBe(0);
  const stored = await bus.jsm.streams.getMessage(`${h.streamPrefix}NOWHERE`, { last_by_subj: subject });
  expect(stored?.json<{ id: string }>().id).toBe(id);
});
