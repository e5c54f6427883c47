import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDb,
  EMBEDDED_SOCKET_NAME,
  embeddedDatabaseUrl,
  migratePglite,
  openEmbeddedPostgres,
  type Database,
  type PgliteServer,
} from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withJobLock } from '../src/jobs/job-lock.js';

// `dg up` on the embedded database shares its one PGlite session with every `dg` command: two
// runners there are the same PostgreSQL session, which a session advisory lock cannot tell apart.
const dir = mkdtempSync(join(tmpdir(), 'dg-lease-'));
let local: Kysely<Database>;
let server: PgliteServer;
let cliA: Kysely<Database>;
let cliB: Kysely<Database>;

beforeAll(async () => {
  const embedded = await openEmbeddedPostgres();
  local = embedded.db;
  await migratePglite(local);
  server = await embedded.serve({ socketPath: join(dir, EMBEDDED_SOCKET_NAME), holdTimeoutMs: 5_000 });
  cliA = createDb(embeddedDatabaseUrl(dir), { max: 1 });
  cliB = createDb(embeddedDatabaseUrl(dir), { max: 1 });
}, 120_000);

afterAll(async () => {
  await cliA?.destroy();
  await cliB?.destroy();
  await server?.close();
  await local?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('job leases on the shared embedded database', () => {
  it('runs a job once while another process of the same session runs it, and again once it ended', async () => {
    const started = deferred();
    const finish = deferred();
    let runs = 0;
    const first = withJobLock(cliA, 'rollup', async () => {
      runs++;
      started.resolve();
      await finish.promise;
      return 'first';
    });
    await started.promise;
    const fromOtherCommand = await withJobLock(cliB, 'rollup', async () => runs++);
    const fromDgUp = await withJobLock(local, 'rollup', async () => runs++);
    expect(fromOtherCommand).toEqual({ status: 'skipped', reason: 'running elsewhere' });
    expect(fromDgUp).toEqual({ status: 'skipped', reason: 'running elsewhere' });
    // another job is not held up by it
    expect(await withJobLock(cliB, 'ml-prune', async () => 'other job')).toEqual({ status: 'done', result: 'other job' });
    finish.resolve();
    expect(await first).toEqual({ status: 'done', result: 'first' });
    expect(runs).toBe(1);
    expect(await withJobLock(cliB, 'rollup', async () => 'again')).toEqual({ status: 'done', result: 'again' });
    expect(await local.selectFrom('job_leases').selectAll().execute()).toEqual([]);
  });

  it('keeps the lease of a run longer than its time-to-live by renewing it, and takes over a lease its runner left to lapse', async () => {
    const finish = deferred();
    const long = withJobLock(cliA, 'drift-retention', () => finish.promise, { ttlMs: 300 });
    // Several lifetimes of the lease later, the run still holds it.
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 300));
      expect(await withJobLock(cliB, 'drift-retention', async () => 'stolen', { ttlMs: 300 })).toMatchObject({
        status: 'skipped',
      });
    }
    finish.resolve();
    expect((await long).status).toBe('done');

    // A runner that died: its lease is there, expired.
    await sql`INSERT INTO job_leases (job, holder, expires_at) VALUES ('audit-archive', 'gone:1:x', now() - interval '1 second')`.execute(
      local,
    );
    expect(await withJobLock(cliB, 'audit-archive', async () => 'taken over')).toEqual({ status: 'done', result: 'taken over' });
  });
});
