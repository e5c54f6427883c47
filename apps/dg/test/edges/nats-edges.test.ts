import { catalog, dlqSubject, eventKeys, parseSubject, subjectFor, type EventKey } from '@driftguard/contracts';
import { streamName, type Bus } from '@driftguard/bus';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BAD_INPUT_CLASSES, badBody, freeTextPath, type BadInputClass, type BodyTarget } from './bad-input.classes.js';
import { sampleOf, type JsonSchema } from './schema-sample.js';
import { startStack, tableCounts, waitUntil, type Stack } from './stack.harness.js';

/**
 * Every subject a service consumes (read from the durable consumers the services declared, so a
 * new consumer is covered without listing it here) is sent each class of malformed body. Each
 * consumer dead-letters each message at once with a reason code, copies it to its DLQ subject,
 * writes nothing else, and keeps consuming.
 */

let stack: Stack;
/** filter subject's catalog key → the durable consumers on it */
const consumers = new Map<EventKey, string[]>();

beforeAll(async () => {
  stack = await startStack({ prefix: 'edges_nats', services: ['ingest', 'analysis', 'recommender', 'notifier'] });
  const bus = await stack.bus();
  for await (const stream of bus.jsm.streams.list()) {
    if (!stream.config.name.startsWith(stack.env['DG_STREAM_PREFIX']!)) continue;
    for await (const c of bus.jsm.consumers.list(stream.config.name)) {
      const filter = c.config.filter_subject ?? '';
      const key = parseSubject(filter.replace(/\.\*\.\*$/, '.1.1'))?.key;
      if (!key) throw new Error(`consumer ${c.name} filters ${filter}, not a catalog subject`);
      consumers.set(key, [...(consumers.get(key) ?? []), c.name]);
    }
  }
});
afterAll(async () => stack?.stop());

/** Values a sample cannot guess (refinements beyond JSON Schema). */
const OVERRIDES: Partial<Record<EventKey, Record<string, unknown>>> = {
  'cmd.maintenance_window.create.v1': { startTime: '09:00', endTime: '17:00', timeZone: 'UTC' },
};

/** A valid envelope of `key` for the stack's tenant, and where its free text and data sit. */
function target(key: EventKey, bus: Bus): BodyTarget {
  const schema = z.toJSONSchema(catalog[key].schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const base = sampleOf(schema) as Record<string, unknown>;
  // A context event carries a signal of its own kind.
  const kind = key.startsWith('context.') ? { kind: catalog[key].type.split('.')[1] } : {};
  const data = { ...(base['data'] as Record<string, unknown>), ...OVERRIDES[key], ...kind };
  const sample = JSON.parse(
    JSON.stringify({ ...base, id: uuidv7(), orgId: stack.org.id, envId: stack.environment.id, data }),
  ) as BodyTarget['sample'];
  const valid = (candidate: unknown) => catalog[key].schema.safeParse(candidate).success;
  expect(valid(sample), `${key}: the sample envelope is valid`).toBe(true);
  const textPath = freeTextPath(sample, valid);
  // A body NATS refuses never reaches a consumer: the huge array of wrong items stays within max_payload.
  const maxBytes = Math.min((bus.nc.info?.max_payload ?? 1024 * 1024) - 4096, 256 * 1024);
  return {
    sample,
    textPath: textPath?.[0] === 'data' ? textPath : undefined,
    objectPath: ['data'],
    maxBytes,
    hugeItems: 'wrong',
  };
}

/** What the consume wrapper may answer each class with. */
const EXPECTED: Record<BadInputClass, readonly string[]> = {
  not_json: ['invalid_json'],
  empty: ['invalid_json'],
  invalid_utf8: ['invalid_json'],
  nul: ['contract_violation'],
  lone_surrogate: ['contract_violation'],
  proto_key: ['contract_violation'],
  constructor_key: ['contract_violation'],
  deep_nesting: ['invalid_json', 'contract_violation'],
  wrong_types: ['contract_violation'],
  huge_array: ['contract_violation'],
  not_an_object: ['contract_violation'],
};

describe('malformed messages on every consumed subject', () => {
  it('finds a consumer for each subject services consume', () => {
    expect([...consumers.keys()].length).toBeGreaterThanOrEqual(15);
    for (const key of consumers.keys()) expect(eventKeys).toContain(key);
  });

  it.each(eventKeys.filter((k) => k !== 'remediation.requested.v1'))('%s', async (key) => {
    const durables = consumers.get(key);
    // Published only: nothing consumes it here, so it has no consumer edge.
    if (!durables) return;
    const bus = await stack.bus();
    const t = target(key, bus);
    const before = await tableCounts(stack);
    const subject = subjectFor(key, stack.org.id, stack.environment.id, bus.config.subjectRoot);
    const sent = new Map<number, BadInputClass>();
    for (const cls of BAD_INPUT_CLASSES) {
      const ack = await bus.js.publish(subject, badBody(cls, t), { msgID: uuidv7(), timeout: 30_000 });
      sent.set(ack.seq, cls);
    }
    const letters = () =>
      stack.tdb.db
        .selectFrom('dead_letters')
        .select(['consumer', 'stream_seq', 'error_code', 'error', 'delivery_count'])
        .where('subject', '=', subject)
        .execute();
    const expected = sent.size * durables.length;
    await waitUntil(async () => (await letters()).length >= expected, `${expected} dead letters on ${subject}`, 20_000).catch(
      async (err: unknown) => {
        const got = await letters();
        const missing = [...sent].filter(([seq]) => !got.some((r) => Number(r.stream_seq) === seq)).map(([, cls]) => cls);
        throw new Error(`${String(err)}; not dead-lettered: ${missing.join(', ')}`);
      },
    );

    const rows = await letters();
    expect(rows).toHaveLength(expected);
    for (const durable of durables) {
      for (const [seq, cls] of sent) {
        const row = rows.find((r) => r.consumer === durable && Number(r.stream_seq) === seq);
        expect(row, `${durable} dead-lettered ${cls}`).toBeDefined();
        expect(EXPECTED[cls], `${durable} ${cls}: ${row!.error_code} ${row!.error}`).toContain(row!.error_code);
        expect(row!.delivery_count, `${durable} ${cls} dead-lettered on its first delivery`).toBe(1);
        expect(row!.error.length).toBeGreaterThan(10);
      }
    }
    // Each copy on dg.dlq.<service> carries the reason.
    const dlqStream = streamName(bus.config, 'DLQ');
    for (const service of new Set(durables.map((d) => d.split('_')[0]!))) {
      const copy = await bus.jsm.streams.getMessage(dlqStream, { last_by_subj: dlqSubject(service, bus.config.subjectRoot) });
      expect(copy?.header.get('DG-Error-Code'), service).toMatch(/^(invalid_json|contract_violation)$/);
      expect(copy?.header.get('DG-Error')).not.toBe('');
    }
    // Nothing but the dead letters was written, each with the ledger entry that keeps it single.
    const after = await tableCounts(stack);
    expect({
      ...after,
      dead_letters: after['dead_letters']! - expected,
      processed_messages: after['processed_messages']! - expected,
    }).toEqual(before);
    // Every consumer is still pulling: nothing is left pending on its durable.
    for (const durable of durables) {
      const info = await bus.jsm.consumers.info(streamName(bus.config, catalog[key].stream), durable);
      expect(info.num_pending + info.num_ack_pending, durable).toBe(0);
    }
  });
});
