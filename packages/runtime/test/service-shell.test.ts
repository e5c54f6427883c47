import { connectBus } from '@driftguard/bus';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseConfigSchema, createServiceShell, parseConfig, portVar, type ServiceContext } from '../src/index.js';
import { capturingLogger, closedPort, isolatedBusNames, NATS_URL } from './support.js';

const schema = baseConfigSchema.extend({ PORT: portVar(0) });
const names = isolatedBusNames('shell');
let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase('runtime_shell');
});

afterAll(async () => {
  const bus = await connectBus({ url: NATS_URL, name: 'shell-cleanup', log: capturingLogger().log });
  for await (const stream of bus.jsm.streams.list()) {
    if (stream.config.name.startsWith(names.DG_STREAM_PREFIX)) await bus.jsm.streams.delete(stream.config.name);
  }
  await bus.close();
  await testDb?.destroy();
});

describe('createServiceShell', () => {
  it('starts workers and HTTP against real PostgreSQL and NATS, then stops them in order, once', async () => {
    const cfg = parseConfig(schema, { DATABASE_URL: testDb.url, NATS_URL, ...names });
    const events: string[] = [];
    let seen: ServiceContext | undefined;
    const shell = createServiceShell({
      name: 'shelltest',
      cfg,
      deps: { log: capturingLogger().log, telemetry: { shutdown: async () => void events.push('telemetry flushed') } },
      registerRoutes: (app) => {
        app.get('/v1/ping', async () => ({ pong: true }));
      },
      startWorkers: (ctx) => {
        seen = ctx;
        ctx.shutdown.addEventListener('abort', () => events.push('shutdown signalled'));
        return [{ stop: async () => void events.push('worker stopped') }];
      },
    });
    const { port } = await shell.start();
    expect(port).toBeGreaterThan(0);

    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', nats: 'ok' } });
    expect(await (await fetch(`http://127.0.0.1:${port}/v1/ping`)).json()).toEqual({ pong: true });
    const streams: string[] = [];
    for await (const s of seen!.bus.jsm.streams.list()) streams.push(s.config.name);
    expect(streams).toContain(`${names.DG_STREAM_PREFIX}DRIFT`);

    await Promise.all([shell.destroy(), shell.destroy()]);
    await shell.destroy();
    expect(events).toEqual(['shutdown signalled', 'worker stopped', 'telemetry flushed']);
    expect(seen!.bus.nc.isClosed()).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('leaves a database it was given open', async () => {
    const cfg = parseConfig(schema, { NATS_URL, ...names });
    const shell = createServiceShell({
      name: 'shelltest',
      cfg,
      deps: { db: testDb.db, log: capturingLogger().log },
      relay: false,
    });
    await shell.start();
    await shell.destroy();
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(testDb.db);
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('fails start() when NATS is unreachable and releases what it opened', async () => {
    const cfg = parseConfig(schema, { DATABASE_URL: testDb.url, NATS_URL: `nats://127.0.0.1:${await closedPort()}`, ...names });
    const shell = createServiceShell({ name: 'shelltest', cfg, deps: { log: capturingLogger().log } });
    await expect(shell.start()).rejects.toThrow();
    await shell.destroy();
  });

  it('refuses to create a standalone service without DATABASE_URL, naming the variable', () => {
    const cfg = parseConfig(schema, { NATS_URL });
    expect(() => createServiceShell({ name: 'shelltest', cfg })).toThrow(/DATABASE_URL: required/);
  });
});
