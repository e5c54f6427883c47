import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createDb, type Database } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger, parseConfig, type Env } from '@driftguard/runtime/boot';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiConfigSchema,
  archiveStoreFrom,
  runJob,
  seedVolume,
  verifyArchive,
  type AuditArchiveManifest,
  type JobContext,
} from '../src/index.js';
import { motoAvailable, startMotoServer, type S3TestServer } from './jobs.s3-server.js';

const DAY = 86_400_000;
const now = new Date();

let testDb: TestDatabase;
let apiDb: Kysely<Database>;
let dir: string;

const ctx = (env: Env): JobContext => ({
  db: apiDb,
  settings: parseConfig(apiConfigSchema, env),
  log: createLogger({ level: 'silent', name: 'api-archive-test' }),
  now: () => now,
});

/** Audit partitions older than a year, with each one's rows as PostgreSQL's JSON text, in id order. */
async function oldPartitions(): Promise<Map<string, string[]>> {
  const parts = await sql<{ name: string }>`SELECT name FROM dg_audit_partitions()
    WHERE month + interval '1 month' <= now() - interval '365 days'`.execute(testDb.db);
  const out = new Map<string, string[]>();
  for (const { name } of parts.rows) {
    const rows = await sql<{ line: string }>`SELECT to_jsonb(a)::text AS line FROM ${sql.table(name)} a ORDER BY id`.execute(
      testDb.db,
    );
    out.set(
      name,
      rows.rows.map((r) => r.line),
    );
  }
  return out;
}

const exists = async (table: string) =>
  (await sql<{ t: string | null }>`SELECT to_regclass(${table})::text AS t`.execute(testDb.db)).rows[0]?.t !== null;

beforeAll(async () => {
  testDb = await createTestDatabase('api_archive');
  apiDb = createDb(testDb.url, { max: 4, role: 'dg_api', applicationName: 'api-archive-test' });
  dir = await mkdtemp(join(tmpdir(), 'dg-archive-test-'));
});
afterAll(async () => {
  await apiDb?.destroy();
  await testDb?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('audit archive to S3', () => {
  let s3: S3TestServer | undefined;
  // The archive is proven against a real S3-compatible server on loopback (moto's server mode),
  // never skipped: a machine without it fails here, saying what to install.
  beforeAll(async () => {
    if (!motoAvailable()) throw new Error('python3 -m moto (pip install "moto[server]") is needed for the S3 archive test');
    s3 = await startMotoServer();
  });
  afterAll(() => s3?.stop());

  it('archives partitions older than a year, reads them back row for row from S3, then drops them', async () => {
    if (!s3) throw new Error('no S3 server');
    // Audit rows of 400 days ago land in their own monthly partitions.
    await seedVolume(testDb.url, {
      days: 2,
      perDay: 300,
      environments: 2,
      resourcesPerEnvironment: 20,
      org: 'audit-s3',
      now: new Date(now.getTime() - 400 * DAY),
    });
    const expected = await oldPartitions();
    expect(expected.size).toBeGreaterThan(0);
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await client.send(new CreateBucketCommand({ Bucket: 'dg-audit' }));
    const env = {
      DG_ARCHIVE_TARGET: 's3://dg-audit/prod',
      DG_ARCHIVE_S3_ENDPOINT: s3.endpoint,
      DG_ARCHIVE_S3_ACCESS_KEY_ID: 'test',
      DG_ARCHIVE_S3_SECRET_ACCESS_KEY: 'test',
    };

    const outcome = await runJob(ctx(env), 'audit-archive');
    expect(outcome.status).toBe('done');
    const archived =
      outcome.status === 'done' ? (Reflect.get(outcome.result, 'archived') as { partition: string; rows: number }[]) : [];
    expect(archived.map((a) => a.partition).sort()).toEqual([...expected.keys()].sort());

    for (const [partition, lines] of expected) {
      expect(await exists(partition)).toBe(false);
      const year = partition.slice('audit_log_y'.length, 'audit_log_y'.length + 4);
      const get = async (key: string) => {
        const o = await client.send(new GetObjectCommand({ Bucket: 'dg-audit', Key: `prod/audit_log/${year}/${key}` }));
        return Buffer.from(await (o.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
      };
      const object = await get(`${partition}.jsonl.gz`);
      const manifest = JSON.parse((await get(`${partition}.manifest.json`)).toString('utf8')) as AuditArchiveManifest;
      expect(manifest).toMatchObject({
        partition,
        rows: lines.length,
        sha256: createHash('sha256').update(object).digest('hex'),
      });
      const archivedLines = gunzipSync(object)
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
      expect(archivedLines).toEqual(lines);
    }
    // The DEFAULT partition took none of the archived months' rows.
    expect(Number((await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log_default`.execute(testDb.db)).rows[0]?.n)).toBe(0);
    client.destroy();
  });
});

describe('audit archive to a directory', () => {
  it('refuses to verify an archive that lost a row, and deletes archives older than seven years', async () => {
    await seedVolume(testDb.url, {
      days: 1,
      perDay: 50,
      environments: 1,
      resourcesPerEnvironment: 5,
      org: 'audit-dir',
      now: new Date(now.getTime() - 500 * DAY),
    });
    const expected = await oldPartitions();
    const [partition, lines] = [...expected.entries()][0] ?? ['', []];
    expect(lines.length).toBeGreaterThan(1);
    const store = archiveStoreFrom(parseConfig(apiConfigSchema, { DG_ARCHIVE_TARGET: `file://${dir}` }));
    if (!store) throw new Error('no store');
    // An archive missing the last row: verification fails and the partition stays.
    const short = gzipSync(`${lines.slice(0, -1).join('\n')}\n`);
    await store.put('audit_log/tampered.jsonl.gz', { bytes: short }, 'application/gzip');
    const manifest: AuditArchiveManifest = {
      format: 'driftguard.audit-archive.v1',
      table: 'audit_log',
      partition,
      month: '2000-01-01',
      rows: lines.length - 1,
      firstId: null,
      lastId: null,
      object: 'audit_log/tampered.jsonl.gz',
      sha256: createHash('sha256').update(short).digest('hex'),
      contentSha256: '',
      compressedBytes: short.length,
      archivedAt: now.toISOString(),
    };
    await expect(verifyArchive(apiDb, store, manifest)).rejects.toThrow(/partition has more rows than the archive/);
    await store.delete(['audit_log/tampered.jsonl.gz']);

    // Archives of a month more than seven years back are deleted; the partition is archived.
    await mkdir(join(dir, 'audit_log', '2018'), { recursive: true });
    await writeFile(join(dir, 'audit_log', '2018', 'audit_log_y2018m01.jsonl.gz'), gzipSync(''));
    await writeFile(join(dir, 'audit_log', '2018', 'audit_log_y2018m01.manifest.json'), '{}');
    const outcome = await runJob(ctx({ DG_ARCHIVE_TARGET: `file://${dir}` }), 'audit-archive');
    expect(outcome).toMatchObject({ status: 'done', result: { expiredObjects: 2 } });
    expect(await store.list('audit_log/')).toEqual(
      [...expected.keys()]
        .flatMap((p) => [`audit_log/${p.slice(11, 15)}/${p}.jsonl.gz`, `audit_log/${p.slice(11, 15)}/${p}.manifest.json`])
        .sort(),
    );
    const stored = gunzipSync(await readFile(join(dir, 'audit_log', partition.slice(11, 15), `${partition}.jsonl.gz`))).toString(
      'utf8',
    );
    expect(stored.split('\n').filter((l) => l !== '')).toEqual(lines);
    expect(await exists(partition)).toBe(false);
    store.close();
  });
});
