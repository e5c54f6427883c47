import type { PGlite } from '@electric-sql/pglite';
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { SessionGate } from './session-gate.js';

/** Options of {@link servePglite}. */
export interface PgliteServerOptions {
  /** Unix socket to listen on (e.g. `<dir>/.s.PGSQL.5432`, the name libpq and node-pg look for). */
  socketPath: string;
  /**
   * How long a client may keep the session (inside a transaction, or between the messages of one
   * extended-protocol exchange) without sending anything: past it, the client is disconnected and
   * its transaction rolled back, so a stuck command cannot stall `dg up`. Default 60 s.
   */
  holdTimeoutMs?: number;
  /** Told about clients refused or cut off; default silent. */
  onClientError?: (err: Error) => void;
}

/** A running {@link servePglite}: close it before closing PGlite. */
export interface PgliteServer {
  socketPath: string;
  /** Stops accepting, disconnects the clients (rolling back their transactions) and removes the socket. */
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** Larger client messages are refused (a COPY row or a statement this big is not DriftGuard's). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** One backend message: type byte, int32 length (counting itself), body. */
function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const cstring = (s: string) => Buffer.from(`${s}\0`, 'utf8');

function errorResponse(severity: 'ERROR' | 'FATAL', code: string, text: string): Buffer {
  return message(
    'E',
    Buffer.concat([
      Buffer.from('S'),
      cstring(severity),
      Buffer.from('V'),
      cstring(severity),
      Buffer.from('C'),
      cstring(code),
      Buffer.from('M'),
      cstring(text),
      Buffer.from([0]),
    ]),
  );
}

/**
 * Watches the backend's answers for ReadyForQuery: the session may pass to another client only
 * when the last message PGlite sent is ReadyForQuery with status idle ('I'), i.e. no transaction,
 * no extended-protocol exchange and no COPY is under way.
 */
class ReadyWatcher {
  idle = true;
  #header = Buffer.alloc(0);
  #remaining = 0;
  #type = 0;

  feed(chunk: Uint8Array): void {
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (data.length > 0) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, data.length);
        // The body of a ReadyForQuery is its one status byte.
        if (this.#type === 0x5a && this.#remaining === 1) this.idle = data[0] === 0x49;
        this.#remaining -= take;
        data = data.subarray(take);
        continue;
      }
      const need = 5 - this.#header.length;
      this.#header = Buffer.concat([this.#header, data.subarray(0, need)]);
      data = data.subarray(need);
      if (this.#header.length < 5) return;
      this.#type = this.#header[0]!;
      this.#remaining = this.#header.readInt32BE(1) - 4;
      this.#header = Buffer.alloc(0);
      this.idle = false;
    }
  }
}

/**
 * Serves an embedded PGlite database over the PostgreSQL wire protocol on a Unix socket, so other
 * processes (the `dg` admin commands) use it while `dg up` runs on it. PGlite has one backend
 * session; clients share it like PgBouncer's transaction pooling: a client owns the session (via
 * `gate`, which the in-process Kysely uses too) from its first message until PGlite is idle again
 * (ReadyForQuery 'I'), so transactions and extended-protocol exchanges never interleave. Session
 * state (SET, session advisory locks, named prepared statements) is shared between clients.
 * No authentication: the socket's directory must be private to its owner.
 */
export async function servePglite(pglite: PGlite, gate: SessionGate, opts: PgliteServerOptions): Promise<PgliteServer> {
  await pglite.waitReady;
  const holdTimeoutMs = opts.holdTimeoutMs ?? 60_000;
  const parameters = await startupParameters(pglite, gate);
  const clients = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  let backendKey = 0;

  const server = createServer((socket) => {
    sockets.add(socket);
    const done = serveClient(socket, ++backendKey).finally(() => sockets.delete(socket));
    clients.add(done);
    void done.finally(() => clients.delete(done));
  });

  async function serveClient(socket: Socket, key: number): Promise<void> {
    let buffer = Buffer.alloc(0);
    let started = false;
    let release: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    const watcher = new ReadyWatcher();
    let discardUntilSync = false;
    const inbox: Buffer[] = [];
    let wake: (() => void) | undefined;

    const write = (data: Uint8Array) => {
      if (!closed && socket.writable) socket.write(data);
    };
    const stop = (why?: Buffer) => {
      if (closed) return;
      if (why) write(why);
      closed = true;
      socket.end();
      socket.destroy();
      wake?.();
    };
    socket.on('data', (chunk: Buffer) => {
      inbox.push(chunk);
      wake?.();
    });
    socket.on('error', (err) => {
      opts.onClientError?.(err);
      stop();
    });
    socket.on('close', () => stop());

    const armHoldTimer = () => {
      clearTimeout(timer);
      if (release === undefined) return;
      timer = setTimeout(
        () => stop(errorResponse('FATAL', '25P03', 'the embedded database was held too long without a message; disconnected')),
        holdTimeoutMs,
      );
      timer.unref();
    };

    try {
      while (!closed) {
        if (inbox.length === 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        buffer = Buffer.concat([buffer, ...inbox.splice(0)]);
        for (;;) {
          if (closed) break;
          if (!started) {
            if (buffer.length < 8) break;
            const length = buffer.readInt32BE(0);
            const code = buffer.readInt32BE(4);
            if (length < 8 || length > 10_000) {
              stop(errorResponse('FATAL', '08P01', 'invalid startup packet'));
              break;
            }
            if (buffer.length < length) break;
            buffer = buffer.subarray(length);
            if (code === SSL_REQUEST || code === GSSENC_REQUEST) write(Buffer.from('N'));
            else if (code === CANCEL_REQUEST) stop();
            else if (code === PROTOCOL_3) {
              started = true;
              write(greeting(parameters, key));
            } else stop(errorResponse('FATAL', '0A000', 'unsupported frontend protocol'));
            continue;
          }
          if (buffer.length < 5) break;
          const type = buffer[0]!;
          const length = buffer.readInt32BE(1);
          if (length < 4 || length > MAX_MESSAGE_BYTES) {
            stop(errorResponse('FATAL', '08P01', 'invalid message length'));
            break;
          }
          if (buffer.length < length + 1) break;
          const msg = buffer.subarray(0, length + 1);
          buffer = buffer.subarray(length + 1);
          if (type === 0x58) {
            // Terminate
            stop();
            break;
          }
          if (discardUntilSync) {
            if (type === 0x53) {
              discardUntilSync = false;
              write(readyForQuery(pglite));
            }
            continue;
          }
          if ((type === 0x51 || type === 0x50) && readsStdin(msg)) {
            // PGlite would wait for the copy data inside WebAssembly, stopping the whole process.
            write(errorResponse('ERROR', '0A000', 'COPY FROM STDIN is not available on the embedded database'));
            if (type === 0x51) write(readyForQuery(pglite));
            else discardUntilSync = true;
            continue;
          }
          if (release === undefined) {
            release = await gate.acquire();
            if (closed) break;
          }
          clearTimeout(timer);
          // A message PGlite answers with nothing (Parse before Sync, CopyData) keeps the exchange open.
          watcher.idle = false;
          await pglite.runExclusive(() =>
            pglite.execProtocolRawStream(new Uint8Array(msg), {
              onRawData: (data) => {
                watcher.feed(data);
                write(data);
              },
            }),
          );
          if (watcher.idle) {
            release();
            release = undefined;
          }
          armHoldTimer();
        }
      }
    } catch (err) {
      opts.onClientError?.(err instanceof Error ? err : new Error(String(err)));
      stop();
    } finally {
      clearTimeout(timer);
      if (release !== undefined) {
        // The client left mid-exchange: end any COPY and extended-protocol exchange, roll back its transaction.
        try {
          if (!watcher.idle) {
            await pglite.runExclusive(() =>
              pglite.execProtocolRaw(new Uint8Array(Buffer.concat([message('f', cstring('client disconnected')), message('S')]))),
            );
          }
          if (pglite.isInTransaction()) await pglite.exec('ROLLBACK');
        } finally {
          release();
        }
      }
    }
  }

  // The caller holds the data directory's lock, so a socket file left there is a crashed run's.
  rmSync(opts.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });

  // No password is asked: only this user may connect.
  chmodSync(opts.socketPath, 0o600);

  let closing: Promise<void> | undefined;
  return {
    socketPath: opts.socketPath,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await Promise.allSettled([...clients]);
        await stopped;
        rmSync(opts.socketPath, { force: true });
      })()),
  };
}

/** The statement text of a Query ('Q') or Parse ('P') message. */
function statementOf(msg: Buffer): string {
  let body = msg.subarray(5);
  if (msg[0] === 0x50) body = body.subarray(body.indexOf(0) + 1); // the statement's name comes first
  const end = body.indexOf(0);
  return body.subarray(0, end < 0 ? body.length : end).toString('utf8');
}

/** Whether the statement(s) may include a COPY … FROM STDIN (matched loosely: refusing a look-alike is harmless). */
const readsStdin = (msg: Buffer) => /\bcopy\b[\s\S]*\bfrom\s+stdin\b/i.test(statementOf(msg));

const readyForQuery = (pglite: PGlite) => message('Z', Buffer.from(pglite.isInTransaction() ? 'T' : 'I'));

/** The ParameterStatus values a client expects after start-up, read once from the session. */
async function startupParameters(pglite: PGlite, gate: SessionGate): Promise<[string, string][]> {
  const names = [
    'server_version',
    'server_encoding',
    'client_encoding',
    'DateStyle',
    'TimeZone',
    'integer_datetimes',
    'standard_conforming_strings',
  ];
  const release = await gate.acquire();
  try {
    const { rows } = await pglite.query<{ name: string; value: string }>(
      `SELECT n AS name, current_setting(n) AS value FROM unnest($1::text[]) AS n`,
      [names],
    );
    return rows.map((r) => [r.name, r.value]);
  } finally {
    release();
  }
}

/** AuthenticationOk, the parameters, BackendKeyData and ReadyForQuery(idle): the client is in. */
function greeting(parameters: [string, string][], key: number): Buffer {
  const keyData = Buffer.alloc(8);
  keyData.writeInt32BE(process.pid, 0);
  keyData.writeInt32BE(key, 4);
  return Buffer.concat([
    message('R', Buffer.from([0, 0, 0, 0])),
    ...parameters.map(([name, value]) => message('S', Buffer.concat([cstring(name), cstring(value)]))),
    message('K', keyData),
    message('Z', Buffer.from('I')),
  ]);
}
