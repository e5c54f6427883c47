import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectBus } from '@driftguard/bus';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger } from '@driftguard/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const id = `boot${Date.now().toString(36)}`;
const busNames = { DG_SUBJECT_ROOT: `t${id}`, DG_STREAM_PREFIX: `T${id.toUpperCase()}_` };

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase('api_boot');
});

afterAll(async () => {
  const bus = await connectBus({ url: NATS_URL, name: 'boot-cleanup', log: createLogger({ level: 'silent', name: 'test' }) });
  for await (const stream of bus.jsm.streams.list()) {
    if (stream.config.name.startsWith(busNames.DG_STREAM_PREFIX)) await bus.jsm.streams.delete(stream.config.name);
  }
  await bus.close();
  await testDb?.destroy();
});

/** Resolves with the port from the service's "service started" log line. */
function startedPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /"port":(\d+)[^\n]*"msg":"service started"/.exec(buffered);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code} before it started: ${buffered}`)));
  });
}

describe('api service process', () => {
  it('boots against real PostgreSQL and NATS, reports ready, and exits 0 within 10 s of SIGTERM', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'services/api/src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], DATABASE_URL: testDb.url, NATS_URL, PORT: '0', LOG_LEVEL: 'info', ...busNames },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    try {
      const port = await startedPort(child);
      let ready: Response | undefined;
      for (let attempt = 0; attempt < 50 && ready?.status !== 200; attempt++) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        if (ready?.status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready?.status).toBe(200);
      expect(await ready!.json()).toEqual({ status: 'ready', checks: { database: 'ok', nats: 'ok' } });

      const sentAt = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      expect(Date.now() - sentAt).toBeLessThan(10_000);
      expect(code, stderr).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses to start with a bad variable, naming it, and exits 2', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'services/api/src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], DATABASE_URL: testDb.url, PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('api: invalid environment: PORT: expected a number, got "eighty"');
  });
});
