import type { Insertable, Selectable } from 'kysely';
import { notNull, notNullDefault, type TableOf } from './columns.js';

/** `job_leases` (migration 0025): the runner of a lifecycle job and until when its lease holds. Owned by api. */
export const jobLeasesColumns = {
  job: notNull('varchar(100)'),
  holder: notNull('varchar(255)'),
  acquired_at: notNullDefault('timestamptz'),
  expires_at: notNull('timestamptz'),
} as const;

export type JobLeasesTable = TableOf<typeof jobLeasesColumns>;
export type JobLease = Selectable<JobLeasesTable>;
export type NewJobLease = Insertable<JobLeasesTable>;
