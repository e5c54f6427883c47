import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptSecret, parseKeyring } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger, createOutboundGuard, parseOutboundAllowList, type OutboundLookup } from '@driftguard/runtime';
import { sql } from 'kysely';
import { credentialsContext } from '../src/declared/git-credentials.js';
import { syncRepository, type GitSyncContext } from '../src/declared/git-sync.js';
import { createRepoSyncScheduler } from '../src/declared/repo-sync.scheduler.js';
import { capturedLogger, LocalRepo, serveGitOverHttp, tempDir } from './declared.git-support.js';
import { freePort } from './harness.js';
import { repositoryRow, resourceIds, tenantRows, type TenantRows } from './declared.support.js';

const keyring = parseKeyring(`k1:${Buffer.alloc(32, 5).toString('base64')}`);
const silent = createLogger({ level: 'silent', name: 'ingest' });
const manifest = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: shop}\ndata: {a: b}\n`;

let tdb: TestDatabase;
let tenant: TenantRows;
let tmp: ReturnType<typeof tempDir>;
let ctx: GitSyncContext;

beforeAll(async () => {
  tdb = await createTestDatabase('ingest_declared_git_outbound');
  tenant = await tenantRows(tdb.db);
  tmp = tempDir('dg-git-outbound-test-');
  ctx = { db: tdb.db, log: silent, keyring, workDir: join(tmp.path, 'work') };
});
afterAll(async () => {
  await tdb?.destroy();
  tmp?.remove();
});

/** A listener on loopback that answers nothing useful and counts every request that reaches it. */
async function recordingListener(): Promise<{ port: number; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { port, requests, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** A resolver where the given names answer with the given addresses and nothing else resolves. */
const fakeDns =
  (answers: Record<string, string>): OutboundLookup =>
  async (host) => {
    const address = answers[host];
    if (address === undefined) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };

/** Resolves once something accepts connections on 127.0.0.1:port (bounded: 100 tries). */
async function listening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const up = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        done(true);
      }).on('error', () => done(false));
    });
    if (up) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** A repository served over smart HTTP on loopback, with one commit of one manifest. */
function servedRepository(name: string): { source: LocalRepo; root: string; bare: string } {
  const source = new LocalRepo(tmp.path, `${name}-src`).write({ 'cm.yaml': manifest('first') });
  source.commit('first');
  const root = join(tmp.path, `${name}-served`);
  const bare = source.bareCopy(tmp.path, `${name}-served/repo.git`);
  return { source, root, bare };
}

describe('git sync: where git may connect', () => {
  it('refuses at sync time a name that resolves to loopback, without a single request reaching the listener', async () => {
    const listener = await recordingListener();
    try {
      const viaLocalhost = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', {
        url: `http://localhost:${listener.port}/infra.git`,
      });
      await expect(syncRepository(ctx, viaLocalhost)).rejects.toMatchObject({
        code: 'checkout_refused',
        permanent: true,
        message: expect.stringContaining('localhost'),
      });

      // A public-looking name whose DNS answer turned to loopback after registration (rebinding).
      const rebinding = createOutboundGuard({ lookup: fakeDns({ 'git.rebinding.example': '127.0.0.1' }) });
      const rebound = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', {
        url: `http://git.rebinding.example:${listener.port}/infra.git`,
      });
      await expect(syncRepository({ ...ctx, outbound: rebinding }, rebound)).rejects.toMatchObject({
        code: 'checkout_refused',
        message: expect.stringContaining('127.0.0.1 is a loopback address (git.rebinding.example resolves to it)'),
      });
      const mapped = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', {
        url: `http://[::ffff:127.0.0.1]:${listener.port}/infra.git`,
      });
      await expect(syncRepository(ctx, mapped)).rejects.toMatchObject({ code: 'checkout_refused' });

      const scheduler = createRepoSyncScheduler({ ...ctx, intervalMs: 60_000 });
      await scheduler.runOnce();
      await scheduler.stop();
      expect(listener.requests).toEqual([]);
    } finally {
      await listener.close();
    }
  });

  it('connects only to the vetted address: an allowed name is pinned, so git never asks DNS again', async () => {
    const { root } = servedRepository('pinned');
    const server = await serveGitOverHttp(root);
    try {
      // git.pinned.example exists in no DNS: the clone works only because git is handed the address.
      const guard = createOutboundGuard({
        allow: parseOutboundAllowList('127.0.0.1'),
        lookup: fakeDns({ 'git.pinned.example': '127.0.0.1' }),
      });
      const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', {
        url: `http://git.pinned.example:${server.port}/repo.git`,
      });
      expect(await syncRepository({ ...ctx, outbound: guard }, id)).toMatchObject({ status: 'synced', counts: { added: 1 } });
      expect(await resourceIds(tdb.db, id)).toEqual(['v1/ConfigMap/shop/first']);
      expect(server.authorizations.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('pins git:// too: the URL handed to git names the vetted address', async () => {
    const { root } = servedRepository('daemon');
    const port = await freePort();
    const daemon = spawn(
      'git',
      ['daemon', '--reuseaddr', '--export-all', `--base-path=${root}`, '--listen=127.0.0.1', `--port=${port}`, root],
      {
        env: { PATH: process.env['PATH'] ?? '', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
        stdio: 'ignore',
      },
    );
    try {
      await listening(port);
      const guard = createOutboundGuard({
        allow: parseOutboundAllowList('127.0.0.1'),
        lookup: fakeDns({ 'git.daemon.example': '127.0.0.1' }),
      });
      const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', { url: `git://git.daemon.example:${port}/repo.git` });
      expect(await syncRepository({ ...ctx, outbound: guard }, id)).toMatchObject({ status: 'synced', counts: { added: 1 } });
      const strict = createOutboundGuard({ lookup: fakeDns({ 'git.daemon.example': '127.0.0.1' }) });
      await expect(syncRepository({ ...ctx, outbound: strict }, id)).rejects.toMatchObject({ code: 'checkout_refused' });
    } finally {
      daemon.kill();
    }
  });

  it('does not follow a redirect to another host', async () => {
    const listener = await recordingListener();
    const redirector = createServer((req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${listener.port}${req.url}` }).end(),
    );
    await new Promise<void>((done) => redirector.listen(0, '127.0.0.1', done));
    const { port } = redirector.address() as AddressInfo;
    try {
      const guard = createOutboundGuard({ allow: parseOutboundAllowList(`127.0.0.1:${port}`) });
      const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', { url: `http://127.0.0.1:${port}/infra.git` });
      await expect(syncRepository({ ...ctx, outbound: guard }, id)).rejects.toMatchObject({ code: 'clone_failed' });
      expect(listener.requests).toEqual([]);
    } finally {
      await new Promise<void>((done) => redirector.close(() => done()));
      await listener.close();
    }
  });
});

describe('git sync: credentials in failures', () => {
  it('keeps a token planted in the URL and in the stored credentials out of logs and errors', async () => {
    const { root } = servedRepository('planted');
    const server = await serveGitOverHttp(root, 'Basic never-matches');
    const urlToken = 'ghp_PlantedUrlToken0123456789abcdefXYZ';
    const storedToken = 'ghp_PlantedStoredToken9876543210zyxwv';
    try {
      const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', {
        url: `http://${urlToken}@127.0.0.1:${server.port}/repo.git`,
      });
      const stored = encryptSecret(JSON.stringify({ username: 'bot', token: storedToken }), keyring, credentialsContext(id));
      await tdb.db.updateTable('iac_repositories').set({ credentials_encrypted: stored }).where('id', '=', id).execute();
      const { log, lines } = capturedLogger();
      const guard = createOutboundGuard({ allow: parseOutboundAllowList('127.0.0.1') });
      const failed = await syncRepository({ ...ctx, log, outbound: guard }, id).catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: 'clone_failed' });
      const scheduler = createRepoSyncScheduler({ ...ctx, log, outbound: guard, intervalMs: 60_000 });
      await scheduler.runOnce();
      await scheduler.stop();

      expect(server.authorizations.some((a) => a?.startsWith('Basic '))).toBe(true);
      expect(lines.some((l) => l.includes('repository sync failed'))).toBe(true);
      const text = `${lines.join('\n')}\n${(failed as Error).message}\n${(failed as Error).stack ?? ''}`;
      const basic = Buffer.from(`bot:${storedToken}`).toString('base64');
      for (const secret of [urlToken, storedToken, basic]) expect(text).not.toContain(secret);
    } finally {
      await server.close();
    }
  });
});

describe('git sync: transactions and locks', () => {
  it('fetches with no transaction open and no lock held', async () => {
    const { root } = servedRepository('slow');
    const seen: { inTransaction: number; advisoryLocks: number }[] = [];
    const server = await serveGitOverHttp(root, undefined, {
      // Answers only after looking at the database: what the sync holds while git waits on the network.
      beforeAnswer: async () => {
        const tx = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'`.execute(tdb.db);
        const locks = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE d.datname = current_database() AND l.locktype = 'advisory'`.execute(tdb.db);
        seen.push({ inTransaction: Number(tx.rows[0]?.n), advisoryLocks: Number(locks.rows[0]?.n) });
      },
    });
    try {
      const guard = createOutboundGuard({ allow: parseOutboundAllowList('127.0.0.1') });
      const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', { url: `${server.url}/repo.git` });
      expect(await syncRepository({ ...ctx, outbound: guard }, id)).toMatchObject({ status: 'synced' });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).toEqual(seen.map(() => ({ inTransaction: 0, advisoryLocks: 0 })));
    } finally {
      await server.close();
    }
  });

  it('of two syncs running at once, the later fetch wins: an older checkout written last is dropped', async () => {
    const { source, root, bare } = servedRepository('race');
    let holdFirst!: () => void;
    const firstHeld = new Promise<void>((done) => (holdFirst = done));
    let firstArrived!: () => void;
    const arrived = new Promise<void>((done) => (firstArrived = done));
    let requests = 0;
    const server = await serveGitOverHttp(root, undefined, {
      beforeAnswer: async (path) => {
        // The first clone's final request (the pack) waits until the second clone has written.
        if (path.includes('git-upload-pack') && !path.includes('?') && ++requests === 1) {
          firstArrived();
          await firstHeld;
        }
      },
    });
    try {
      const guard = createOutboundGuard({ allow: parseOutboundAllowList('127.0.0.1') });
      const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', { url: `${server.url}/repo.git` });
      const older = syncRepository({ ...ctx, outbound: guard }, id);
      await arrived;
      source.write({ 'cm.yaml': manifest('second') });
      const newCommit = source.commit('second');
      source.pushTo(bare);
      const newer = await syncRepository({ ...ctx, outbound: guard }, id);
      expect(newer).toMatchObject({ status: 'synced', commit: newCommit });
      holdFirst();
      expect(await older).toMatchObject({ status: 'superseded', repositoryId: id });
      expect(await resourceIds(tdb.db, id)).toEqual(['v1/ConfigMap/shop/second']);
    } finally {
      await server.close();
    }
  });
});
