import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '@driftguard/db';
import type { Logger } from '@driftguard/runtime/boot';
import type { Kysely } from 'kysely';
import { releaseJobLease, renewJobLease, takeJobLease } from './job-leases.queries.js';

/** Outcome of a job: done (with what it did), or skipped because another run holds its lease. */
export type JobOutcome<T> = { status: 'done'; result: T } | { status: 'skipped'; reason: 'running elsewhere' };

export interface JobLockOptions {
  /** how long a lease holds without renewal: a runner that died blocks the job this long at most */
  ttlMs?: number;
  log?: Logger;
}

const DEFAULT_TTL_MS = 60_000;

/**
 * Runs `fn` only if no other runner has job `name` right now: a lease row in `job_leases`
 * (migration 0025), taken without waiting, renewed every third of its time-to-live while `fn`
 * works and removed when it ends. Two schedulers, or a scheduler and `dg jobs run`, never do
 * the same work at once, on PostgreSQL and on the embedded database, whose one session `dg up`
 * shares with every command (a session advisory lock there would be granted to both). A runner
 * that died holds the job until its lease lapses.
 */
export async function withJobLock<T>(
  db: Kysely<Database>,
  name: string,
  fn: () => Promise<T>,
  options: JobLockOptions = {},
): Promise<JobOutcome<T>> {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  if (!(await takeJobLease(db, name, holder, ttlMs))) return { status: 'skipped', reason: 'running elsewhere' };
  let renewal: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewal = renewal
      .then(async () => {
        if (!(await renewJobLease(db, name, holder, ttlMs)))
          options.log?.warn({ job: name }, 'job lease lapsed and was taken by another runner while this run went on');
      })
      .catch((err: unknown) => options.log?.warn({ err, job: name }, 'could not renew the job lease'));
  }, ttlMs / 3);
  timer.unref();
  try {
    return { status: 'done', result: await fn() };
  } finally {
    clearInterval(timer);
    await renewal;
    await releaseJobLease(db, name, holder);
  }
}
