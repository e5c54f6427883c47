import type { EventKey } from '@driftguard/contracts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consume, type Consumption } from '../src/index.js';
import { spawnFixture, type Child } from './support/child-process.js';
import { recordEffect } from './support/effect.handler.js';
import { driftResolve, envelope, publishDirect, repoSync } from './support/events.builder.js';
import { createBusFixture, NATS_URL, waitFor, type BusFixture } from './support/test-bus.fixture.js';

describe('consume: several instances and shutdown', () => {
  let fx: BusFixture;
  const consumptions: Consumption[] = [];
  const children: Child[] = [];

  beforeAll(async () => {
    fx = await createBusFixture('scaling');
  });
  afterAll(async () => {
    for (const c of consumptions) await c.stop();
    for (const child of children) if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    await fx?.cleanup();
  });

  const spawnConsumer = (service: string, key: EventKey, instance: string, extra: Record<string, string> = {}) => {
    const child = spawnFixture('consumer.child.ts', {
      DATABASE_URL: fx.url,
      NATS_URL,
      BUS_CONFIG: JSON.stringify(fx.busConfig),
      SERVICE: service,
      KEY: key,
      INSTANCE: instance,
      ...extra,
    });
    children.push(child);
    return child;
  };

  const publishMany = async (count: number, build: (i: number) => { id: string }, key: EventKey) => {
    for (let start = 0; start < count; start += 500) {
      const batch = Array.from({ length: Math.min(500, count - start) }, (_, j) => build(start + j));
      await Promise.all(batch.map((ev) => publishDirect(fx.bus, key, ev, ev.id)));
    }
  };

  const countsByInstance = async (instances: string[]) => {
    const rows = await fx.db
      .selectFrom('test_effects')
      .select(['instance', (eb) => eb.fn.countAll<string>().as('n')])
      .where('instance', 'in', instances)
      .groupBy('instance')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.instance, Number(r.n)]));
  };

  const effectTotals = async (instances: string[]) => {
    const r = await fx.db
      .selectFrom('test_effects')
      .select([sql<string>`count(*)`.as('total'), sql<string>`count(distinct event_id)`.as('distinct')])
      .where('instance', 'in', instances)
      .executeTakeFirstOrThrow();
    return { total: Number(r.total), distinct: Number(r.distinct) };
  };

  it('splits 3,000 messages across three instances of one consumer, none processed twice', async () => {
    const key = 'cmd.repo.sync.v1' as const;
    const child = spawnConsumer('splitter', key, 'child', { WORK_MS: '2' });
    for (const instance of ['local-1', 'local-2']) {
      const bus = await fx.connect(instance);
      consumptions.push(
        await consume({
          db: fx.db,
          bus,
          log: fx.log,
          service: 'splitter',
          key,
          handler: recordEffect(instance, 2),
          concurrency: 8,
        }),
      );
    }
    await child.ready;

    await publishMany(3_000, (i) => envelope(key, repoSync(i)), key);
    const instances = ['child', 'local-1', 'local-2'];
    await waitFor(async () => (await effectTotals(instances)).total >= 3_000, '3,000 effects', 90_000, 250);
    await new Promise((r) => setTimeout(r, 500));

    expect(await effectTotals(instances)).toEqual({ total: 3_000, distinct: 3_000 });
    const perInstance = await countsByInstance(instances);
    for (const instance of instances) expect(perInstance[instance]).toBeGreaterThan(0);
  });

  it('loses nothing when an instance is sent SIGTERM during a burst', async () => {
    const key = 'cmd.drift.resolve.v1' as const;
    const N = 1_500;
    const first = spawnConsumer('graceful', key, 'first', { WORK_MS: '5', ACK_WAIT_MS: '3000' });
    await first.ready;
    await publishMany(N, (i) => envelope(key, driftResolve(i)), key);

    await waitFor(async () => (await effectTotals(['first'])).total >= 150, 'the burst to be under way');
    const signalledAt = Date.now();
    first.proc.kill('SIGTERM');
    const { code } = await first.exited;
    const exitMs = Date.now() - signalledAt;
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(10_000);
    const doneByFirst = (await effectTotals(['first'])).total;
    expect(doneByFirst).toBeLessThan(N);

    const second = spawnConsumer('graceful', key, 'second', { ACK_WAIT_MS: '3000' });
    await second.ready;
    await waitFor(async () => (await effectTotals(['first', 'second'])).total >= N, `all ${N} processed`, 90_000, 250);
    await new Promise((r) => setTimeout(r, 500));
    expect(await effectTotals(['first', 'second'])).toEqual({ total: N, distinct: N });
    // nothing the first instance committed was lost or redone
    expect((await effectTotals(['first'])).total).toBe(doneByFirst);
  });
});
