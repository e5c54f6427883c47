import type { Database } from '@driftguard/db';
import type { Logger } from '@driftguard/runtime/boot';
import type { Kysely } from 'kysely';
import type { ApiConfig } from '../config.js';

/** The settings the lifecycle jobs read (a subset of the api's config, so the CLI can build one). */
export type LifecycleSettings = Pick<
  ApiConfig,
  | 'DG_AUDIT_PARTITIONS_AHEAD'
  | 'DG_DRIFT_RETENTION_DAYS'
  | 'DG_AUDIT_ARCHIVE_AFTER_DAYS'
  | 'DG_AUDIT_ARCHIVE_KEEP_DAYS'
  | 'DG_ML_KEEP_VERSIONS'
  | 'DG_ARCHIVE_TARGET'
  | 'DG_ARCHIVE_S3_ENDPOINT'
  | 'DG_ARCHIVE_S3_REGION'
  | 'DG_ARCHIVE_S3_ACCESS_KEY_ID'
  | 'DG_ARCHIVE_S3_SECRET_ACCESS_KEY'
>;

/** What every job gets: the database (as dg_api in the service, the admin login in the CLI), settings, a logger, a clock. */
export interface JobContext {
  db: Kysely<Database>;
  settings: LifecycleSettings;
  log: Logger;
  now: () => Date;
}

const DAY_MS = 86_400_000;

/** `date` as a UTC calendar day, YYYY-MM-DD. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The UTC days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) throw new RangeError(`invalid day range ${from}..${to}`);
  const out: string[] = [];
  for (let t = start; t <= end; t += DAY_MS) out.push(utcDay(new Date(t)));
  return out;
}

/** `date` minus `days` whole days. */
export function daysBefore(date: Date, days: number): Date {
  return new Date(date.getTime() - days * DAY_MS);
}
