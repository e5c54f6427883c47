import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connectBus } from '@driftguard/bus';
import { createLogger } from '@driftguard/runtime';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = join(ROOT, 'apps/dg/src/main.ts');
// `--import tsx` resolves from the working directory; these runs start elsewhere.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const id = `up${Date.now().toString(36)}`;
const busNames = { DG_SUBJECT_ROOT: `t${id}`, DG_STREAM_PREFIX: `T${id.toUpperCase()}_` };
const PORTS = { api: 8080, ingest: 8081, analysis: 8082, recommender: 8083, notifier: 8084 };
const cwd = mkdtempSync(join(tmpdir(), 'dg-up-'));

function dg(args: string[]): {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, MAIN, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', NATS_URL, LOG_LEVEL: 'warn', ...busNames },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return { child, output: () => ({ stdout, stderr }), exited };
}

async function until(condition: () => boolean, what: string, ms = 200_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

afterAll(async () => {
  const bus = await connectBus({ url: NATS_URL, name: 'up-cleanup', log: createLogger({ level: 'silent', name: 'test' }) });
  for await (const stream of bus.jsm.streams.list()) {
    if (stream.config.name.startsWith(busNames.DG_STREAM_PREFIX)) await bus.jsm.streams.delete(stream.config.name);
  }
  await bus.close();
  rmSync(cwd, { recursive: true, force: true });
});

describe('dg up', () => {
  // The first start creates the embedded cluster (initdb in WebAssembly): tens of seconds on a busy machine.
  it(
    'runs every service on its port over embedded PostgreSQL, guards the data directory, and stops cleanly',
    { timeout: 240_000 },
    async () => {
      const up = dg(['up']);
      let code: number | null | undefined;
      void up.exited.then((c) => (code = c));
      try {
        await until(() => up.output().stderr.includes('DriftGuard is up') || code !== undefined, '"DriftGuard is up"');
        expect(code, up.output().stderr).toBeUndefined();
        for (const [name, port] of Object.entries(PORTS)) {
          const res = await fetch(`http://127.0.0.1:${port}/readyz`);
          expect(res.status, name).toBe(200);
        }
        expect(existsSync(join(cwd, '.dg-data', 'PG_VERSION'))).toBe(true);
        // Without DG_MASTER_KEY the embedded mode keeps its own key, readable by its owner only, and says so.
        expect(statSync(join(cwd, '.dg-data', 'master.key')).mode & 0o777).toBe(0o600);
        expect(up.output().stdout).toContain('created a local master key for the embedded database');

        const second = dg(['org', 'create', 'acme']);
        expect(await second.exited).toBe(2);
        expect(second.output().stderr).toMatch(
          /^dg: the embedded database in .*\.dg-data is in use by another dg process \(pid \d+\)/,
        );

        const sentAt = Date.now();
        up.child.kill('SIGTERM');
        expect(await up.exited, up.output().stderr).toBe(0);
        expect(Date.now() - sentAt).toBeLessThan(10_000);
      } finally {
        if (up.child.exitCode === null) up.child.kill('SIGKILL');
      }

      // Stopped: the embedded database is free for admin commands, and was migrated by `dg up`.
      expect(existsSync(join(cwd, '.dg-data', 'dg.pid'))).toBe(false);
      const org = dg(['org', 'create', 'acme']);
      expect(await org.exited, org.output().stderr).toBe(0);
      expect(org.output().stdout).toMatch(/^created organization acme \(id \d+\)/);
    },
  );
});
