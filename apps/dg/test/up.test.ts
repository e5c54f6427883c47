import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connectBus } from '@driftguard/bus';
import { createTestDatabase } from '@driftguard/db/testing';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createLogger } from '@driftguard/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = join(ROOT, 'apps/dg/src/main.ts');
// `--import tsx` resolves from the working directory; these runs start elsewhere.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const id = `up${Date.now().toString(36)}`;
const busNames = { DG_SUBJECT_ROOT: `t${id}`, DG_STREAM_PREFIX: `T${id.toUpperCase()}_` };
// Five consecutive free ports for DG_PORT_BASE (found before the tests run): the usual 8080 – 8084 may be taken.
let PORTS = { api: 0, ingest: 0, analysis: 0, recommender: 0, notifier: 0 };
const cwd = mkdtempSync(join(tmpdir(), 'dg-up-'));

function dg(
  args: string[],
  extraEnv: Record<string, string> = {},
): {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, MAIN, ...args], {
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      NATS_URL,
      LOG_LEVEL: 'warn',
      DG_PORT_BASE: String(PORTS.api),
      ...busNames,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return { child, output: () => ({ stdout, stderr }), exited };
}

/** Runs a `dg` command to its end; it must succeed and print `expected`. Returns its stdout. */
async function run(args: string[], expected: RegExp, extraEnv: Record<string, string> = {}): Promise<string> {
  const command = dg(args, extraEnv);
  const exitCode = await command.exited;
  const { stdout, stderr } = command.output();
  expect(exitCode, `dg ${args.join(' ')}: ${stderr}`).toBe(0);
  expect(stdout).toMatch(expected);
  return stdout;
}

async function until(condition: () => boolean, what: string, ms = 200_000, refresh?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    await refresh?.();
    if (condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, refresh ? 1_000 : 200));
  }
}

beforeAll(async () => {
  const base = await freePortRun(5);
  PORTS = { api: base, ingest: base + 1, analysis: base + 2, recommender: base + 3, notifier: base + 4 };
});

afterAll(async () => {
  const bus = await connectBus({ url: NATS_URL, name: 'up-cleanup', log: createLogger({ level: 'silent', name: 'test' }) });
  for await (const stream of bus.jsm.streams.list()) {
    if (stream.config.name.startsWith(busNames.DG_STREAM_PREFIX)) await bus.jsm.streams.delete(stream.config.name);
  }
  await bus.close();
  rmSync(cwd, { recursive: true, force: true });
});

describe('dg up', () => {
  it('refuses a DG_PORT_BASE that is not a port, naming it', async () => {
    const up = dg(['up'], { DG_PORT_BASE: '65533' });
    expect(await up.exited).not.toBe(0);
    expect(up.output().stderr).toMatch(/DG_PORT_BASE: expected a port from 1 to 65531, got "65533"/);
    // refused before anything was created
    expect(existsSync(join(cwd, '.dg-data'))).toBe(false);
  });

  // The first start creates the embedded cluster (initdb in WebAssembly): tens of seconds on a busy machine.
  it(
    'runs every service on its port over embedded PostgreSQL, shares it with admin commands while it runs, and stops cleanly',
    { timeout: 600_000 },
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

        // Admin commands are other processes: they reach the embedded database through `dg up`.
        await run(['org', 'create', 'acme'], /^created organization acme \(id \d+\)/);
        // Two at once: the single PGlite session is handed from one to the other, transaction by transaction.
        await Promise.all([
          run(['env', 'create', 'acme/prod', '--cloud', 'aws', '--region', 'eu-west-1'], /^created environment acme\/prod/),
          run(['env', 'create', 'acme/dev', '--cloud', 'gcp'], /^created environment acme\/dev/),
        ]);
        const secret = 'hook-secret-0123456789';
        const second = dg(['up']);
        const [listed, token, migrations, integration] = await Promise.all([
          run(['env', 'list', 'acme'], /acme\/dev/),
          run(['token', 'create', 'acme', '--role', 'admin'], /^dg_/),
          run(['migrate', 'status'], /applied/),
          // Stored under the embedded database's own master key, the one the running services use.
          run(['integration', 'add', 'acme/prod', '--source', 'github', '--secret-env', 'HOOK'], /^[0-9a-f-]{36}$/m, {
            HOOK: secret,
          }),
        ]);
        expect(
          listed
            .split('\n')
            .filter(Boolean)
            .map((l) => l.split('\t')[0]),
        ).toEqual(['acme/dev', 'acme/prod']);
        expect(migrations).not.toContain('pending');
        // Only one process opens the data directory: a second `dg up` is refused.
        expect(await second.exited).toBe(2);
        expect(second.output().stderr).toMatch(
          /^dg: the embedded database in .*\.dg-data is in use by another dg process \(pid \d+\)/,
        );

        // What they wrote is what the running services see: the api takes the new token and lists the environments,
        const res = await fetch(`http://127.0.0.1:${PORTS.api}/v1/environments`, {
          headers: { authorization: `Bearer ${token.trim()}` },
        });
        expect(res.status).toBe(200);
        expect(JSON.stringify(await res.json())).toContain('"slug":"prod"');
        // and ingest verifies a webhook signed with the integration's secret.
        const ping = JSON.stringify({ zen: 'Design for failure.', hook_id: 1, hook: { type: 'Repository' } });
        const signature = createHmac('sha256', secret).update(ping).digest('hex');
        const delivered = await fetch(`http://127.0.0.1:${PORTS.ingest}/v1/context/github?integration=${integration.trim()}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-hub-signature-256': `sha256=${signature}` },
          body: ping,
        });
        expect(delivered.status, await delivered.text()).toBe(200);

        // SIGTERM drains every service and exits cleanly.
        up.child.kill('SIGTERM');
        expect(await up.exited, up.output().stderr).toBe(0);
      } finally {
        if (up.child.exitCode === null) up.child.kill('SIGKILL');
      }

      // Stopped: the commands open the embedded database themselves, and find what they wrote through `dg up`.
      expect(existsSync(join(cwd, '.dg-data', 'dg.pid'))).toBe(false);
      expect(existsSync(join(cwd, '.dg-data', 'dg.share.json'))).toBe(false);
      await run(['org', 'create', 'globex'], /^created organization globex \(id \d+\)/);
      expect(await run(['env', 'list', 'acme'], /acme\/prod/)).toContain('eu-west-1');
    },
  );

  it(
    'dg demo: a demo organization whose drifts are analysed, recommended and caught as Slack, PagerDuty, webhook and email messages',
    { timeout: 300_000 },
    async () => {
      const db = await createTestDatabase('dg_demo');
      const [catcherPort, smtpPort] = [await freePort(), await freePort()];
      const demo = dg(['demo', '--catcher-port', String(catcherPort), '--smtp-port', String(smtpPort)], {
        DATABASE_URL: db.url,
        DG_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
        DG_NOTIFIER_GROUP_WAIT_MS: '2000',
      });
      let code: number | null | undefined;
      void demo.exited.then((c) => (code = c));
      try {
        await until(
          () => demo.output().stderr.includes('what DriftGuard would have sent') || code !== undefined,
          'the demo filled',
        );
        expect(code, demo.output().stderr).toBeUndefined();
        type Caught = {
          provider: string;
          action: string;
          body?: Record<string, unknown>;
          headers?: Record<string, string>;
          email?: { subject: string; html: string };
        };
        let caught: Caught[] = [];
        await until(
          () => ['slack', 'pagerduty', 'webhook', 'email'].every((p) => caught.some((m) => m.provider === p)),
          'a message on every channel',
          120_000,
          async () => {
            const body: unknown = await (await fetch(`http://127.0.0.1:${catcherPort}/messages.json`)).json();
            caught = Array.isArray(body) ? body : [];
          },
        );
        // The production story: the resize during the SEV1 reaches Slack with its cause, evidence and recommendation.
        const slack = JSON.stringify(caught.filter((m) => m.provider === 'slack').map((m) => m.body));
        expect(slack).toContain('aws_instance.checkout');
        expect(slack).toContain('Cause:');
        expect(slack).toContain('assumed-role/oncall-admin/jane.doe');
        expect(slack).toContain('Recommendation:');
        const page = caught.find((m) => m.provider === 'pagerduty')?.body;
        expect(page?.['event_action']).toBe('trigger');
        expect(caught.find((m) => m.provider === 'webhook')?.headers?.['webhook-signature']).toMatch(/^v1,/);
        expect(caught.find((m) => m.provider === 'email')?.email?.subject).toMatch(/drift/i);
        const html = await (await fetch(`http://127.0.0.1:${catcherPort}/`)).text();
        expect(html).toContain('What DriftGuard would have sent');
        demo.child.kill('SIGTERM');
        expect(await demo.exited, demo.output().stderr).toBe(0);
      } finally {
        if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
        await db.destroy();
      }
    },
  );
});

/** The first of `count` consecutive ports free on 127.0.0.1, from a random start. */
async function freePortRun(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let all = true;
    for (let port = base; all && port < base + count; port++) all = await free(port);
    if (all) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
