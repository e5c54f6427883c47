import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import { archiveStoreFrom, type ArchiveStore } from './archive-store.js';
import { daysBefore, type JobContext } from './job-context.js';
import { auditPartitionPage, auditPartitions, dropAuditPartition, type AuditPartition } from './lifecycle.queries.js';

const PAGE = 10_000;
const ARCHIVE_FORMAT = 'driftguard.audit-archive.v1';

/** What `<partition>.manifest.json` says about its archive. */
export interface AuditArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  table: 'audit_log';
  partition: string;
  /** First day of the month archived. */
  month: string;
  rows: number;
  firstId: string | null;
  lastId: string | null;
  /** Key of the gzip-compressed JSON lines, one row per line in id order (PostgreSQL's `to_jsonb` of the row). */
  object: string;
  /** SHA-256 (hex) of the compressed object as stored. */
  sha256: string;
  /** SHA-256 (hex) of the uncompressed JSON lines. */
  contentSha256: string;
  compressedBytes: number;
  archivedAt: string;
}

export interface AuditArchiveResult {
  location: string | null;
  archived: { partition: string; rows: number; object: string; sha256: string }[];
  /** Partitions due for archiving but left in place because no DG_ARCHIVE_TARGET is set. */
  pending: string[];
  expiredObjects: number;
}

export const archiveKeys = (p: AuditPartition) => {
  const dir = `audit_log/${p.month.slice(0, 4)}`;
  return { object: `${dir}/${p.name}.jsonl.gz`, manifest: `${dir}/${p.name}.manifest.json` };
};

/**
 * Archives each audit_log partition whose month ended more than DG_AUDIT_ARCHIVE_AFTER_DAYS ago:
 * writes its rows as gzip JSON lines with a manifest (row count, id range, checksums), reads the
 * archive back from the store and compares it row for row with the partition, and only then
 * detaches and drops the partition (which refuses if a row arrived meanwhile). Archives older
 * than DG_AUDIT_ARCHIVE_KEEP_DAYS are deleted. A failure leaves the partition in place.
 */
export async function runAuditArchive(ctx: JobContext, store = archiveStoreFrom(ctx.settings)): Promise<AuditArchiveResult> {
  const now = ctx.now();
  const archiveBefore = daysBefore(now, ctx.settings.DG_AUDIT_ARCHIVE_AFTER_DAYS);
  const due = (await auditPartitions(ctx.db)).filter((p) => monthEnd(p.month) <= archiveBefore);
  if (store === undefined) {
    if (due.length > 0)
      ctx.log.warn({ pending: due.map((p) => p.name) }, 'audit partitions due for archiving; DG_ARCHIVE_TARGET is not set');
    return { location: null, archived: [], pending: due.map((p) => p.name), expiredObjects: 0 };
  }
  const result: AuditArchiveResult = { location: store.location, archived: [], pending: [], expiredObjects: 0 };
  try {
    for (const partition of due) {
      const manifest = await archivePartition(ctx.db, store, partition, now);
      await verifyArchive(ctx.db, store, manifest);
      await dropAuditPartition(ctx.db, partition.name, manifest.rows);
      ctx.log.info(
        { partition: partition.name, rows: manifest.rows, location: store.location },
        'audit partition archived and dropped',
      );
      result.archived.push({ partition: partition.name, rows: manifest.rows, object: manifest.object, sha256: manifest.sha256 });
    }
    result.expiredObjects = await expireArchives(store, daysBefore(now, ctx.settings.DG_AUDIT_ARCHIVE_KEEP_DAYS));
  } finally {
    store.close();
  }
  return result;
}

function monthEnd(month: string): Date {
  const d = new Date(`${month}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d;
}

/** The partition's rows as JSON lines, in id order, read page by page. */
async function* partitionLines(db: Kysely<Database>, partition: string): AsyncGenerator<{ id: string; line: string }> {
  let after = '0';
  for (;;) {
    const page = await auditPartitionPage(db, partition, after, PAGE);
    yield* page;
    const last = page.at(-1);
    if (page.length < PAGE || last === undefined) return;
    after = last.id;
  }
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) hash.update(chunk);
  });
  return hash.digest('hex');
}

async function archivePartition(
  db: Kysely<Database>,
  store: ArchiveStore,
  partition: AuditPartition,
  now: Date,
): Promise<AuditArchiveManifest> {
  const keys = archiveKeys(partition);
  const dir = await mkdtemp(join(tmpdir(), 'dg-audit-archive-'));
  try {
    const file = join(dir, `${partition.name}.jsonl.gz`);
    const content = createHash('sha256');
    let rows = 0;
    let firstId: string | null = null;
    let lastId: string | null = null;
    async function* lines(): AsyncGenerator<string> {
      for await (const { id, line } of partitionLines(db, partition.name)) {
        rows += 1;
        firstId ??= id;
        lastId = id;
        const text = `${line}\n`;
        content.update(text);
        yield text;
      }
    }
    await pipeline(Readable.from(lines()), createGzip({ level: 6 }), createWriteStream(file));
    const sha256 = await sha256OfFile(file);
    await store.put(keys.object, { file }, 'application/gzip');
    const manifest: AuditArchiveManifest = {
      format: ARCHIVE_FORMAT,
      table: 'audit_log',
      partition: partition.name,
      month: partition.month,
      rows,
      firstId,
      lastId,
      object: keys.object,
      sha256,
      contentSha256: content.digest('hex'),
      compressedBytes: (await stat(file)).size,
      archivedAt: now.toISOString(),
    };
    await store.put(keys.manifest, { bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) }, 'application/json');
    return manifest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Reads the stored object back: its checksum must match the manifest, and its lines must equal
 * the partition's rows one by one, in order, with none missing or extra.
 */
export async function verifyArchive(db: Kysely<Database>, store: ArchiveStore, manifest: AuditArchiveManifest): Promise<void> {
  const stored = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      stored.update(chunk);
      done(null, chunk);
    },
  });
  const gunzip = createGunzip();
  const source = await store.get(manifest.object);
  const piping = pipeline(source, tap, gunzip);
  // A stream error also ends the read loop below; it is rethrown by `await piping`.
  piping.catch(() => undefined);
  const expected = partitionLines(db, manifest.partition)[Symbol.asyncIterator]();
  let n = 0;
  try {
    for await (const line of createInterface({ input: gunzip, crlfDelay: Infinity })) {
      const want = await expected.next();
      if (want.done === true) throw new ArchiveMismatchError(manifest, `archive has more rows than the partition (${n + 1}+)`);
      if (want.value.line !== line) throw new ArchiveMismatchError(manifest, `row ${n + 1} (id ${want.value.id}) differs`);
      n += 1;
    }
    await piping;
  } catch (err) {
    source.destroy();
    throw err;
  }
  if ((await expected.next()).done !== true)
    throw new ArchiveMismatchError(manifest, `partition has more rows than the archive (${n})`);
  if (n !== manifest.rows) throw new ArchiveMismatchError(manifest, `archive holds ${n} rows, manifest says ${manifest.rows}`);
  if (stored.digest('hex') !== manifest.sha256) throw new ArchiveMismatchError(manifest, 'checksum of the stored object differs');
}

/** An archive that did not read back as written; its partition is kept. */
export class ArchiveMismatchError extends Error {
  override readonly name = 'ArchiveMismatchError';
  constructor(manifest: AuditArchiveManifest, detail: string) {
    super(`archive of ${manifest.partition} does not match: ${detail}`);
  }
}

/** Deletes archives (object and manifest) of months that ended before `before`. */
async function expireArchives(store: ArchiveStore, before: Date): Promise<number> {
  const doomed = (await store.list('audit_log/')).filter((key) => {
    const m = /audit_log_y(\d{4})m(\d{2})\.(?:jsonl\.gz|manifest\.json)$/.exec(key);
    return m !== null && monthEnd(`${m[1]}-${m[2]}-01`) <= before;
  });
  if (doomed.length > 0) await store.delete(doomed);
  return doomed.length;
}
