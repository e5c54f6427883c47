import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../src/index.js';

export const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** A stream that keeps every JSON line written to it, parsed and raw. */
export function captureLines(): { lines: Array<Record<string, unknown>>; raw: string[]; destination: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { lines, raw, destination };
}

/** A logger whose JSON lines are kept in memory, so a test can look at what was logged. */
export function capturingLogger(level: 'info' | 'debug' | 'warn' = 'info'): {
  log: Logger;
  lines: Array<Record<string, unknown>>;
  text: () => string;
} {
  const { lines, raw, destination } = captureLines();
  return { log: createLogger({ level, name: 'test', destination }), lines, text: () => raw.join('\n') };
}

/** A TCP port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A subject root and stream prefix of its own, so a suite's streams never meet another's. */
export function isolatedBusNames(label: string): { DG_SUBJECT_ROOT: string; DG_STREAM_PREFIX: string } {
  const id = `${label}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return { DG_SUBJECT_ROOT: `t${id}`, DG_STREAM_PREFIX: `T${id.toUpperCase()}_` };
}
