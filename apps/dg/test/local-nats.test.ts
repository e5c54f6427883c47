import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, ensureStreams } from '@driftguard/bus';
import { createLogger } from '@driftguard/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { answers, ensureLocalNats, findNatsServer, natsSearchDirs } from '../src/local-nats.js';

const dataDir = mkdtempSync(join(tmpdir(), 'dg-local-nats-'));
const dirs = natsSearchDirs(process.env['PATH']);
const log = createLogger({ level: 'silent', name: 'test' });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A loopback port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('dg up and NATS', () => {
  it('uses the NATS that answers at NATS_URL and starts none', async () => {
    const url = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
    expect(await ensureLocalNats(url, dataDir, dirs)).toBeUndefined();
  });

  it.runIf(findNatsServer(dirs) !== undefined)(
    'starts nats-server with JetStream in the data directory when nothing answers on this host, and stops it',
    async () => {
      const port = await freePort();
      const nats = await ensureLocalNats(`nats://127.0.0.1:${port}`, dataDir, dirs);
      expect(nats?.storeDir).toBe(join(dataDir, 'nats'));
      try {
        const bus = await connectBus({ url: `nats://127.0.0.1:${port}`, name: 'local-nats-test', log });
        // JetStream is on: every DriftGuard stream can be declared.
        const created = await ensureStreams(bus);
        expect(Object.values(created).every((a) => a === 'created')).toBe(true);
        await bus.close();
      } finally {
        await nats?.stop();
      }
      expect(await answers('127.0.0.1', port)).toBe(false);
    },
  );

  it('says how to get NATS when none answers and no nats-server is installed', async () => {
    const port = await freePort();
    const empty = mkdtempSync(join(tmpdir(), 'dg-no-nats-'));
    try {
      await expect(ensureLocalNats(`nats://127.0.0.1:${port}`, dataDir, [empty])).rejects.toThrow(/apt install nats-server/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses to start a server for an address of another host', async () => {
    await expect(ensureLocalNats('nats://192.0.2.1:4222', dataDir, dirs)).rejects.toThrow(
      /nothing answers at NATS_URL nats:\/\/192\.0\.2\.1:4222/,
    );
  });
});
