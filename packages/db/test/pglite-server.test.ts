import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDb,
  EMBEDDED_SOCKET_NAME,
  embeddedDatabaseUrl,
  openEmbeddedPostgres,
  type Database,
  type PgliteServer,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-sock-'));
let local: Kysely<Database>;
let server: PgliteServer;
const url = embeddedDatabaseUrl(dir);

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A frontend message: type byte, int32 length, body. */
function frame(type: string, ...parts: (string | number[])[]): Buffer {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(`${p}\0`) : Buffer.from(p))));
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** A wire-protocol client that sends exactly the bytes it is given, when it is told to. */
async function rawClient(): Promise<{ socket: Socket; send(b: Buffer): void; rows(count: number): Promise<string[]> }> {
  const socket = connect(join(dir, EMBEDDED_SOCKET_NAME));
  let received = Buffer.alloc(0);
  let notify = () => undefined as void;
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
    notify();
  });
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(params.length + 8, 0);
  startup.writeInt32BE(196608, 4);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(Buffer.concat([startup, params]));
  /** The first column of each DataRow, once `count` ReadyForQuery messages (after start-up's) arrived. */
  const rows = async (count: number) => {
    for (;;) {
      const out: string[] = [];
      let ready = -1;
      for (let at = 0; at + 5 <= received.length;) {
        const length = received.readInt32BE(at + 1);
        if (at + 1 + length > received.length) break;
        if (received[at] === 0x5a) ready++;
        if (received[at] === 0x44) out.push(received.subarray(at + 11, at + 11 + received.readInt32BE(at + 7)).toString());
        at += 1 + length;
      }
      if (ready >= count) return out;
      await new Promise<void>((resolve) => (notify = resolve));
    }
  };
  return { socket, send: (b) => socket.write(b), rows };
}

beforeAll(async () => {
  const embedded = await openEmbeddedPostgres();
  local = embedded.db;
  server = await embedded.serve({ socketPath: join(dir, EMBEDDED_SOCKET_NAME), holdTimeoutMs: 1_500 });
  await sql`CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL)`.execute(local);
});

afterAll(async () => {
  await server?.close();
  await local?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('the embedded database served on a Unix socket', () => {
  it('answers node-pg and Kysely over createDb with the same types as PostgreSQL', async () => {
    const db = createDb(url, { max: 1 });
    try {
      const { rows } = await sql<Record<string, unknown>>`
        SELECT 9007199254740993::int8 AS big, ${'x'}::text AS p, '2026-03-01'::date AS day, '{"a":[1]}'::jsonb AS doc`.execute(
        db,
      );
      expect(rows[0]).toEqual({ big: '9007199254740993', p: 'x', day: '2026-03-01', doc: { a: [1] } });
      await db.transaction().execute(async (tx) => {
        await tx.executeQuery(sql`INSERT INTO t (v) VALUES (${'from-kysely'})`.compile(tx));
      });
      const seen = await sql<{ v: string }>`SELECT v FROM t WHERE v = 'from-kysely'`.execute(local);
      expect(seen.rows).toHaveLength(1);
    } finally {
      await db.destroy();
    }
  });

  it("gives the session to no one else between the messages of a client's extended-protocol exchange", async () => {
    const [a, b] = [await rawClient(), await rawClient()];
    try {
      await Promise.all([a.rows(0), b.rows(0)]);
      // A parses its unnamed statement and waits before binding it; B's exchange comes in between.
      a.send(frame('P', '', "SELECT 'from a'", [0, 0]));
      await later(100);
      b.send(
        Buffer.concat([
          frame('P', '', "SELECT 'from b'", [0, 0]),
          frame('B', '', '', [0, 0, 0, 0, 0, 0]),
          frame('E', '', [0, 0, 0, 0]),
          frame('S'),
        ]),
      );
      await later(100);
      a.send(Buffer.concat([frame('B', '', '', [0, 0, 0, 0, 0, 0]), frame('E', '', [0, 0, 0, 0]), frame('S')]));
      expect(await a.rows(1)).toEqual(['from a']);
      expect(await b.rows(1)).toEqual(['from b']);
    } finally {
      a.socket.destroy();
      b.socket.destroy();
    }
  });

  it('never mixes the extended-protocol exchanges of concurrent clients', async () => {
    const clients = await Promise.all(Array.from({ length: 6 }, () => client()));
    try {
      const answers = await Promise.all(
        clients.flatMap((c, i) =>
          Array.from({ length: 25 }, async (_, j) => {
            // Each client its own statement: bound to another client's, it would answer other columns.
            const r = await c.query(`SELECT $1::text AS a${i}, $2::int AS b${i}`, [`c${i}-${j}`, i * 100 + j]);
            return [r.rows[0], { [`a${i}`]: `c${i}-${j}`, [`b${i}`]: i * 100 + j }];
          }),
        ),
      );
      for (const [got, want] of answers) expect(got).toEqual(want);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it("keeps a client's transaction its own until it ends: in-process queries wait, and see nothing rolled back", async () => {
    const c = await client();
    try {
      await c.query('BEGIN');
      await c.query("INSERT INTO t (v) VALUES ('uncommitted')");
      let localDone = false;
      const localRead = sql<{ n: number }>`SELECT count(*)::int AS n FROM t WHERE v = 'uncommitted'`.execute(local).then((r) => {
        localDone = true;
        return r.rows[0]?.n;
      });
      await later(200);
      expect(localDone).toBe(false);
      await c.query('ROLLBACK');
      expect(await localRead).toBe(0);
    } finally {
      await c.end();
    }
  });

  it('keeps an in-process transaction its own: a client waits for its end', async () => {
    const c = await client();
    try {
      let clientSaw: number | undefined;
      await local
        .transaction()
        .execute(async (tx) => {
          await sql`INSERT INTO t (v) VALUES ('local-tx')`.execute(tx);
          void c
            .query<{ n: number }>("SELECT count(*)::int AS n FROM t WHERE v = 'local-tx'")
            .then((r) => (clientSaw = r.rows[0]?.n));
          await later(200);
          expect(clientSaw).toBeUndefined();
          throw new Error('roll back');
        })
        .catch((err: unknown) => {
          if (!(err instanceof Error) || err.message !== 'roll back') throw err;
        });
      await expect.poll(() => clientSaw).toBe(0);
    } finally {
      await c.end();
    }
  });

  it('rolls back the transaction of a client that disconnects, and of one that stalls past the hold timeout', async () => {
    const gone = await client();
    gone.on('error', () => undefined);
    await gone.query('BEGIN');
    await gone.query("INSERT INTO t (v) VALUES ('left-behind')");
    gone.connection.stream.destroy();

    const stalled = await client();
    stalled.on('error', () => undefined);
    await stalled.query('BEGIN');
    await stalled.query("INSERT INTO t (v) VALUES ('stalled')");
    const ended = new Promise((resolve) => stalled.once('end', resolve));

    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM t WHERE v IN ('left-behind', 'stalled')`.execute(
      local,
    );
    expect(rows[0]?.n).toBe(0);
    await ended;
    expect(await local.selectNoFrom(sql<number>`1`.as('one')).executeTakeFirst()).toEqual({ one: 1 });
  });

  it('refuses COPY FROM STDIN, which would stop the process inside WebAssembly, in either protocol', async () => {
    const c = await client();
    const raw = await rawClient();
    try {
      await expect(c.query('COPY t (v) FROM STDIN')).rejects.toThrow(/COPY FROM STDIN is not available/);
      await expect(c.query('SELECT 1 AS n')).resolves.toMatchObject({ rows: [{ n: 1 }] });
      await raw.rows(0);
      raw.send(
        Buffer.concat([frame('P', '', 'copy t (v) from stdin', [0, 0]), frame('B', '', '', [0, 0, 0, 0, 0, 0]), frame('S')]),
      );
      await raw.rows(1);
      raw.send(Buffer.concat([frame('Q', "SELECT 'after'")]));
      expect(await raw.rows(2)).toEqual(['after']);
    } finally {
      raw.socket.destroy();
      await c.end();
    }
  });

  it('reports an error to the client that caused it and stays usable for the others', async () => {
    const [a, b] = [await client(), await client()];
    try {
      await expect(a.query('SELECT $1::int AS n', ['not a number'])).rejects.toThrow(/invalid input syntax/);
      await expect(b.query('SELECT 2 AS n')).resolves.toMatchObject({ rows: [{ n: 2 }] });
      await expect(a.query('BEGIN; SELECT 1/0')).rejects.toThrow(/division by zero/);
      await expect(a.query('SELECT 3 AS n')).rejects.toThrow(/current transaction is aborted/);
      const waiting = b.query<{ n: number }>('SELECT 4 AS n');
      await a.query('ROLLBACK');
      await expect(waiting).resolves.toMatchObject({ rows: [{ n: 4 }] });
      await expect(a.query('SELECT 5 AS n')).resolves.toMatchObject({ rows: [{ n: 5 }] });
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});
