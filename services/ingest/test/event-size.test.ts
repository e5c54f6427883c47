import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTruncatedValue, type DriftDetectedV1 } from '@driftguard/contracts';
import { consume, type Consumption } from '@driftguard/bus';
import { fetchDriftChangeValue, listDriftChanges } from '@driftguard/db';
import { createLogger } from '@driftguard/runtime';
import { startIngest, waitUntil, type IngestHarness } from './harness.js';

const MB = 1024 * 1024;

/** A ConfigMap as kubectl returns it, `data` as given. */
const configMap = (name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data,
});
const kubernetesScan = (declared: object, live: object) =>
  JSON.stringify({ declared: [declared], live: { apiVersion: 'v1', kind: 'List', items: [live] } });

let h: IngestHarness;
let sink: Consumption;
const received: DriftDetectedV1[] = [];

beforeAll(async () => {
  h = await startIngest('event_size');
  // A drift.detected consumer like analysis: real NATS, real contract validation.
  sink = await consume({
    db: h.db,
    bus: await h.bus(),
    log: createLogger({ level: 'silent', name: 'sink' }),
    service: 'size-sink',
    key: 'drift.detected.v1',
    handler: async (event) => {
      received.push(event);
    },
  });
});
afterAll(async () => {
  await sink?.stop();
  await h?.stop();
});

async function detectedFor(name: string): Promise<DriftDetectedV1> {
  return waitUntil(
    async () => received.find((e) => e.data.resource.name === name || e.data.resource.address?.endsWith(`/${name}`)),
    90_000,
  );
}

describe('drift.detected whatever the size of the resource', () => {
  it('delivers the drift of a 5 MB ConfigMap with the value cut to a claim check, and the reference gives the whole value', async () => {
    const declared = 'd'.repeat(5 * MB);
    const live = 'L'.repeat(5 * MB);
    const scan = await h.waitForScan(
      await h.submit(
        'kubernetes',
        kubernetesScan(configMap('huge', { payload: declared }), configMap('huge', { payload: live })),
      ),
      120_000,
    );
    expect(scan.status).toBe('completed');

    const event = await detectedFor('huge');
    const bus = await h.bus();
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(bus.eventBudgetBytes());
    const change = event.data.changes.find((c) => c.path === '/data/payload')!;
    expect(change.truncated).toEqual(['declared', 'actual']);
    const cut = asTruncatedValue(change.actual)!;
    expect(cut).toMatchObject({ truncated: true, bytes: Buffer.byteLength(JSON.stringify(live)) });
    expect(cut.sha256).toBe(createHash('sha256').update(JSON.stringify(live)).digest('hex'));
    expect(cut.preview.startsWith('"LLLL')).toBe(true);
    expect(cut.ref).toEqual({ driftEventId: event.data.driftEventId, propertyPath: '/data/payload', side: 'actual' });

    const whole = await fetchDriftChangeValue(h.db, cut.ref);
    expect(whole).toEqual({ found: true, value: live });
    const declaredWhole = await fetchDriftChangeValue(h.db, asTruncatedValue(change.declared)!.ref);
    expect(declaredWhole).toEqual({ found: true, value: declared });
  });

  it('delivers a drift of 10,000 changed properties with the first changes, their count, and the rest by reference', async () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `key-${String(i).padStart(5, '0')}`);
    const declared = Object.fromEntries(keys.map((k) => [k, `declared ${k}`]));
    const live = Object.fromEntries(keys.map((k) => [k, `live ${k}`]));
    const scan = await h.waitForScan(
      await h.submit('kubernetes', kubernetesScan(configMap('wide', declared), configMap('wide', live))),
      120_000,
    );
    expect(scan.status).toBe('completed');

    const event = await detectedFor('wide');
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan((await h.bus()).eventBudgetBytes());
    const { changes, changesTruncated } = event.data;
    expect(changes.length).toBeGreaterThan(0);
    expect(changesTruncated).toEqual({ total: 10_000, included: changes.length, ref: { driftEventId: event.data.driftEventId } });

    const rest = await listDriftChanges(h.db, event.data.driftEventId, { offset: changesTruncated!.included, limit: 5_000 });
    const more = await listDriftChanges(h.db, event.data.driftEventId, {
      offset: changesTruncated!.included + rest.length,
      limit: 5_000,
    });
    const all = [...changes.map((c) => c.path), ...rest.map((c) => c.path), ...more.map((c) => c.path)];
    expect(all).toHaveLength(10_000);
    expect(new Set(all)).toEqual(new Set(keys.map((k) => `/data/${k}`)));
    const last = more.at(-1) ?? rest.at(-1)!;
    expect(last.actual).toBe(`live ${last.path.slice('/data/'.length)}`);
  });
});
