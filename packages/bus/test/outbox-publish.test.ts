import { subjectFor } from '@driftguard/contracts';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consume, ContractError, createOutboxRelay, enqueue, type OutboxRelay } from '../src/index.js';
import { ENV_ID, ORG_ID, repoSync } from './support/events.builder.js';
import { createBusFixture, waitFor, type BusFixture } from './support/test-bus.fixture.js';

const spans = new InMemorySpanExporter();

describe('publishing through the outbox', () => {
  let fx: BusFixture;
  let relay: OutboxRelay;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    fx = await createBusFixture('publish');
    // A poll interval far beyond the test's waits: only the NOTIFY hint can wake this relay in time.
    relay = createOutboxRelay({ db: fx.db, bus: fx.bus, log: fx.log, pollIntervalMs: 60_000, listenUrl: fx.url });
    relay.start();
  });
  afterAll(async () => {
    await relay?.stop();
    await fx?.cleanup();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  const root = () => fx.bus.config.subjectRoot;
  const outboxRow = (id: string) => fx.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();

  it('rejects data that breaks the contract, naming the path, and writes nothing', async () => {
    const attempt = fx.db
      .transaction()
      .execute((tx) => enqueue(tx, 'cmd.repo.sync.v1', ORG_ID, ENV_ID, { repositoryId: 0 }, { subjectRoot: root() }));
    await expect(attempt).rejects.toThrow(ContractError);
    await expect(attempt).rejects.toThrow(/data\.repositoryId/);
    const rows = await fx.db.selectFrom('outbox').select('id').execute();
    expect(rows).toEqual([]);
  });

  it('publishes an event only when its transaction commits', async () => {
    let rolledBack = '';
    await expect(
      fx.db.transaction().execute(async (tx) => {
        rolledBack = (await enqueue(tx, 'cmd.repo.sync.v1', ORG_ID, ENV_ID, repoSync(1), { subjectRoot: root() })).id;
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    expect(await outboxRow(rolledBack)).toBeUndefined();
  });

  it('wakes the relay on insert and carries the producer trace into the consumer span', async () => {
    let consumerTraceparent = '';
    const consumption = await consume({
      db: fx.db,
      bus: fx.bus,
      log: fx.log,
      service: 'tracer',
      key: 'cmd.repo.sync.v1',
      handler: async (event, { tx, headers }) => {
        consumerTraceparent = headers['traceparent'] ?? '';
        await tx.insertInto('test_effects').values({ event_id: event.id, instance: 'tracer' }).execute();
      },
    });
    await new Promise((r) => setTimeout(r, 300)); // let the relay's first poll find nothing

    const tracer = trace.getTracer('test');
    const producer = await tracer.startActiveSpan('api: resolve drift', async (span) => {
      const ev = await fx.db
        .transaction()
        .execute((tx) => enqueue(tx, 'cmd.repo.sync.v1', ORG_ID, ENV_ID, repoSync(2), { subjectRoot: root() }));
      span.end();
      return { ev, spanContext: span.spanContext() };
    });
    const startedAt = Date.now();

    const row = await outboxRow(producer.ev.id);
    expect(row!.subject).toBe(subjectFor('cmd.repo.sync.v1', ORG_ID, ENV_ID, root()));
    expect(row!.headers!['traceparent']).toContain(producer.spanContext.traceId);

    await waitFor(async () => (await outboxRow(producer.ev.id))?.published_at != null, 'publication', 10_000);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    await waitFor(async () => (await fx.effectCounts()).total === 1, 'the event to be handled', 10_000);
    await consumption.stop();

    expect(consumerTraceparent).toContain(producer.spanContext.traceId);
    const consumerSpan = spans.getFinishedSpans().find((s) => s.name === 'process cmd.repo.sync.v1');
    expect(consumerSpan).toBeDefined();
    expect(consumerSpan!.kind).toBe(SpanKind.CONSUMER);
    expect(consumerSpan!.spanContext().traceId).toBe(producer.spanContext.traceId);
    expect(consumerSpan!.parentSpanContext?.spanId).toBe(producer.spanContext.spanId);
    expect(consumerSpan!.links.map((l) => l.context.spanId)).toEqual([producer.spanContext.spanId]);
    expect(consumerSpan!.attributes['messaging.message.id']).toBe(producer.ev.id);
  });
});
