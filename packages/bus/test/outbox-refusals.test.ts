import { dlqSubject, subjectFor } from '@driftguard/contracts';
import { errors, NoRespondersError, RequestError } from '@nats-io/nats-core';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxRelay, enqueue, listDeadLetters, replayDeadLetter, streamName, type OutboxRelay } from '../src/index.js';
import { classifyPublishFailure } from '../src/outbox.refusals.js';
import { ENV_ID, ORG_ID, envelope, repoSync } from './support/events.builder.js';
import { createBusFixture, waitFor, type BusFixture } from './support/test-bus.fixture.js';

const SERVICE = 'refusals';

describe('outbox relay: permanent refusals', () => {
  let fx: BusFixture;
  let relay: OutboxRelay;
  let smallStream: string;

  beforeAll(async () => {
    fx = await createBusFixture('refusals');
    // A stream whose max_msg_size refuses what the server would accept: a cause an operator can fix.
    smallStream = `${fx.bus.config.streamPrefix}SMALL`;
    await fx.bus.jsm.streams.add({ name: smallStream, subjects: [`${fx.bus.config.subjectRoot}.small.>`], max_msg_size: 1024 });
    relay = createOutboxRelay({ db: fx.db, bus: fx.bus, log: fx.log, service: SERVICE, pollIntervalMs: 100 });
    relay.start();
  });
  afterAll(async () => {
    await relay?.stop();
    await fx?.bus.jsm.streams.delete(smallStream).catch(() => false);
    await fx?.bus.jsm.streams.delete(`${fx.bus.config.streamPrefix}LATE`).catch(() => false);
    await fx?.cleanup();
  });

  const root = () => fx.bus.config.subjectRoot;
  /** An outbox row as enqueue writes it, but with a subject and body of the test's choosing. */
  const insertRow = async (subject: string, note: string) => {
    const id = uuidv7();
    const body = { ...envelope('cmd.repo.sync.v1', { repositoryId: 1, reason: note }, id) };
    await fx.db
      .insertInto('outbox')
      .values({ id, subject, event_type: 'cmd.repo.sync.v1', payload: JSON.stringify(body), headers: '{}' })
      .execute();
    return id;
  };
  const enqueueGood = (n: number) =>
    fx.db.transaction().execute(async (tx) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++)
        ids.push((await enqueue(tx, 'cmd.repo.sync.v1', ORG_ID, ENV_ID, repoSync(i), { subjectRoot: root() })).id);
      return ids;
    });
  const unpublished = async (ids: string[]) =>
    (await fx.db.selectFrom('outbox').select('id').where('id', 'in', ids).where('published_at', 'is', null).execute()).length;
  const stored = async (stream: string, seq: number) => {
    const m = await fx.bus.jsm.streams.getMessage(stream, { seq });
    if (!m) throw new Error(`no message ${seq} in ${stream}`);
    return m;
  };
  const letterOf = async (messageId: string) =>
    (await listDeadLetters(fx.db, { service: SERVICE, includeReplayed: true, limit: 1000 })).find(
      (l) => l.messageId === messageId,
    );

  it('dead-letters at once an event above max_payload and one no stream captures, and keeps publishing the rest', async () => {
    const maxPayload = fx.bus.nc.info!.max_payload;
    const before = await enqueueGood(5);
    const huge = await insertRow(subjectFor('cmd.repo.sync.v1', ORG_ID, ENV_ID, root()), 'x'.repeat(maxPayload + 1));
    const lost = await insertRow(`${root()}.nowhere.v1.${ORG_ID}.${ENV_ID}`, 'no stream listens here');
    const after = await enqueueGood(5);

    await waitFor(
      async () =>
        (await unpublished([...before, ...after])) === 0 &&
        (await letterOf(huge)) !== undefined &&
        (await letterOf(lost)) !== undefined,
      'good rows published and bad rows dead-lettered',
    );

    const tooLarge = (await letterOf(huge))!;
    expect(tooLarge).toMatchObject({
      service: SERVICE,
      consumer: 'outbox-relay',
      errorCode: 'payload_too_large',
      deliveryCount: 1,
    });
    expect(tooLarge.error).toMatch(/max_payload/);
    expect(tooLarge.payload.length).toBeGreaterThan(maxPayload);
    const noStream = (await letterOf(lost))!;
    expect(noStream).toMatchObject({
      errorCode: 'no_stream',
      deliveryCount: 1,
      subject: `${root()}.nowhere.v1.${ORG_ID}.${ENV_ID}`,
    });
    // Both left the outbox, so no relay claims them again.
    expect(await fx.db.selectFrom('outbox').select('id').where('id', 'in', [huge, lost]).execute()).toEqual([]);

    // The DLQ subject got a copy of each; the oversized body is left out of its copy (NATS would refuse it too).
    const dlq = streamName(fx.bus.config, 'DLQ');
    const copyOf = async (id: number) => {
      for (let seq = 1; ; seq++) {
        const m = await stored(dlq, seq);
        if (m.header.get('DG-Dead-Letter-Id') === String(id)) return m;
      }
    };
    const hugeCopy = await copyOf(tooLarge.id);
    expect(hugeCopy.subject).toBe(dlqSubject(SERVICE, root()));
    expect(hugeCopy.header.get('DG-Error-Code')).toBe('payload_too_large');
    expect(hugeCopy.header.get('DG-Payload-Omitted')).toBe(String(tooLarge.payload.length));
    expect(hugeCopy.data.length).toBe(0);
    expect(JSON.parse((await copyOf(noStream.id)).string()).id).toBe(lost);
  });

  it('replays a no-stream letter once a stream captures its subject, and fails while none does', async () => {
    const subject = `${root()}.late.v1.${ORG_ID}.${ENV_ID}`;
    const id = await insertRow(subject, 'a stream will come');
    await waitFor(async () => (await letterOf(id)) !== undefined, 'the letter');
    const letter = (await letterOf(id))!;
    await expect(replayDeadLetter(fx.db, fx.bus, letter.id)).rejects.toThrow();
    expect((await letterOf(id))!.replayCount).toBe(0);

    await fx.bus.jsm.streams.add({ name: `${fx.bus.config.streamPrefix}LATE`, subjects: [`${root()}.late.>`] });
    const replay = await replayDeadLetter(fx.db, fx.bus, letter.id);
    const late = await stored(`${fx.bus.config.streamPrefix}LATE`, replay.streamSeq);
    expect(JSON.parse(late.string()).id).toBe(id);
    expect((await letterOf(id))!.replayCount).toBe(1);
  });

  it('dead-letters a body above a stream max_msg_size and replays it once the limit is raised', async () => {
    const id = await insertRow(`${root()}.small.v1.${ORG_ID}.${ENV_ID}`, 'y'.repeat(4096));
    await waitFor(async () => (await letterOf(id)) !== undefined, 'the letter');
    const letter = (await letterOf(id))!;
    expect(letter).toMatchObject({ errorCode: 'payload_too_large', deliveryCount: 1 });

    const info = await fx.bus.jsm.streams.info(smallStream);
    await fx.bus.jsm.streams.update(smallStream, { ...info.config, max_msg_size: -1 });
    const replay = await replayDeadLetter(fx.db, fx.bus, letter.id);
    expect(JSON.parse((await stored(smallStream, replay.streamSeq)).string()).id).toBe(id);
  });

  it('treats timeouts, and "no responders" on a subject a stream captures, as transient', async () => {
    const captured = subjectFor('cmd.repo.sync.v1', ORG_ID, ENV_ID, root());
    const timeout = await classifyPublishFailure(fx.bus, captured, 100, new errors.TimeoutError());
    expect(timeout.permanent).toBe(false);
    // What the client throws when JetStream does not answer, e.g. while a stream leader is elected.
    const noResponders = new RequestError('no responders', { cause: new NoRespondersError(captured) });
    expect((await classifyPublishFailure(fx.bus, captured, 100, noResponders)).permanent).toBe(false);
    const uncaptured = `${root()}.nowhere.v1.${ORG_ID}.${ENV_ID}`;
    expect(
      await classifyPublishFailure(
        fx.bus,
        uncaptured,
        100,
        new RequestError('no responders', { cause: new NoRespondersError(uncaptured) }),
      ),
    ).toMatchObject({
      permanent: true,
      code: 'no_stream',
    });
  });
});
