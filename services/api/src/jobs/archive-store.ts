import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile, copyFile, rename } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import type { LifecycleSettings } from './job-context.js';

/** Where archives are written: an S3 bucket (prefix) or a local directory. Keys use `/`. */
export interface ArchiveStore {
  /** For logs: `s3://bucket/prefix` or the directory. */
  readonly location: string;
  /** Stores a local file (streamed) or bytes under `key`. */
  put(key: string, body: { file: string } | { bytes: Buffer }, contentType: string): Promise<void>;
  get(key: string): Promise<Readable>;
  /** Keys under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(keys: readonly string[]): Promise<void>;
  close(): void;
}

/** The store DG_ARCHIVE_TARGET names, or undefined when it is unset. */
export function archiveStoreFrom(settings: LifecycleSettings): ArchiveStore | undefined {
  const target = settings.DG_ARCHIVE_TARGET;
  if (target === undefined) return undefined;
  if (target.kind === 'directory') return directoryStore(target.path);
  const endpoint = settings.DG_ARCHIVE_S3_ENDPOINT;
  const id = settings.DG_ARCHIVE_S3_ACCESS_KEY_ID;
  const secret = settings.DG_ARCHIVE_S3_SECRET_ACCESS_KEY;
  const client = new S3Client({
    region: settings.DG_ARCHIVE_S3_REGION,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret } } : {}),
  });
  return s3Store(client, target.bucket, target.prefix);
}

function s3Store(client: S3Client, bucket: string, prefix: string): ArchiveStore {
  const full = (key: string) => (prefix ? `${prefix}/${key}` : key);
  return {
    location: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
    async put(key, body, contentType) {
      const payload =
        'file' in body
          ? { Body: createReadStream(body.file), ContentLength: (await stat(body.file)).size }
          : { Body: body.bytes };
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: full(key), ContentType: contentType, ...payload }));
    },
    async get(key) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: full(key) }));
      const body = out.Body;
      if (body === undefined) throw new Error(`archive object ${full(key)} has no body`);
      // In Node the body is the response stream itself; anything else is read whole.
      if (body instanceof Readable) return body;
      return Readable.from([Buffer.from(await body.transformToByteArray())]);
    },
    async list(under) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page: ListObjectsV2CommandOutput = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: full(under), ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) if (o.Key) keys.push(prefix ? o.Key.slice(prefix.length + 1) : o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000).map((k) => ({ Key: full(k) }));
        await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
      }
    },
    close: () => client.destroy(),
  };
}

function directoryStore(root: string): ArchiveStore {
  const pathOf = (key: string) => {
    const p = join(root, ...key.split('/'));
    if (relative(root, p).startsWith('..')) throw new RangeError(`archive key escapes the directory: ${key}`);
    return p;
  };
  return {
    location: root,
    async put(key, body) {
      const p = pathOf(key);
      await mkdir(dirname(p), { recursive: true });
      // Written beside and renamed, so a reader never sees half a file.
      const tmp = `${p}.partial`;
      if ('file' in body) await copyFile(body.file, tmp);
      else await writeFile(tmp, body.bytes);
      await rename(tmp, p);
    },
    get: async (key) => createReadStream(pathOf(key)),
    async list(under) {
      const base = pathOf(under.replace(/\/+$/, ''));
      const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [];
        throw err;
      });
      return entries
        .filter((e) => e.isFile() && !e.name.endsWith('.partial'))
        .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
        .sort();
    },
    async delete(keys) {
      for (const k of keys) await rm(pathOf(k), { force: true });
    },
    close: () => undefined,
  };
}
