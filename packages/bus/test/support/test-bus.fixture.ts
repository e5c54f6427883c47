import { randomBytes } from 'node:crypto';
import { createDb, type Database } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { sql, type Generated, type Kysely } from 'kysely';
import { pino, type Logger } from 'pino';
import { connectBus, ensureStreams, streamNames, type Bus, type BusConfigInput } from '../../src/index.js';

export const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** What test handlers write: no unique key, so a duplicate effect would show up as a second row. */
export interface TestEffectsTable {
  event_id: string;
  instance: string;
  processed_at: Generated<Date>;
}
export type TestDb = Database & { test_effects: TestEffectsTable };

export interface BusFixture {
  /** database URL of this suite's own database */
  url: string;
  db: Kysely<TestDb>;
  /** a bus on this suite's own subject root and stream prefix, streams ensured */
  bus: Bus;
  busConfig: BusConfigInput;
  log: Logger;
  /** another connection with the same configuration (closed by cleanup) */
  connect(name: string): Promise<Bus>;
  effectCounts(): Promise<{ total: number; distinct: number }>;
  cleanup(): Promise<void>;
}

/** Isolates a suite: its own database, subject root and stream prefix; deletes its streams at the end. */
export async function createBusFixture(
  label: string,
  busConfig: BusConfigInput = {},
  natsUrl: string | string[] = NATS_URL,
): Promise<BusFixture> {
  const testDb: TestDatabase = await createTestDatabase(`bus_${label}`);
  // Tests commit tens of thousands of tiny transactions; waiting for each WAL flush would
  // measure the disk, not the bus. A crash of the test server is not what these tests cover.
  await sql`ALTER DATABASE ${sql.id(testDb.name)} SET synchronous_commit = off`.execute(testDb.db);
  const db = createDb(testDb.url, { max: 20 }).withTables<{ test_effects: TestEffectsTable }>();
  await sql`CREATE TABLE test_effects (
    event_id uuid NOT NULL,
    instance text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT clock_timestamp())`.execute(db);
  const suffix = randomBytes(4).toString('hex');
  const config = { ...busConfig, subjectRoot: `t${suffix}`, streamPrefix: `T${suffix.toUpperCase()}_` };
  const log = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
  const buses: Bus[] = [];
  const connect = async (name: string) => {
    const b = await connectBus({ url: natsUrl, name: `${label}-${name}`, config, log });
    buses.push(b);
    return b;
  };
  const bus = await connect('main');
  await ensureStreams(bus);

  return {
    url: testDb.url,
    db,
    bus,
    busConfig: config,
    log,
    connect,
    async effectCounts() {
      const r = await db
        .selectFrom('test_effects')
        .select((eb) => [eb.fn.countAll<string>().as('total'), eb.fn.count<string>('event_id').distinct().as('distinct')])
        .executeTakeFirstOrThrow();
      return { total: Number(r.total), distinct: Number(r.distinct) };
    },
    async cleanup() {
      for (const name of Object.values(streamNames(bus.config))) await bus.jsm.streams.delete(name).catch(() => false);
      for (const b of buses) await b.close();
      await db.destroy();
      await testDb.destroy();
    },
  };
}

/** Polls `check` until it returns true. */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
