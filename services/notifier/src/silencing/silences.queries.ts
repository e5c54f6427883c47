import { SilenceMatcher } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { RecurringWindow } from './maintenance-window.match.js';

export interface ActiveSilence {
  id: number;
  matchers: SilenceMatcher[];
}

export interface ActiveWindow extends RecurringWindow {
  id: number;
  environmentId: number | null;
}

const Matchers = z.array(SilenceMatcher);
const Weekdays = z.array(z.number().int().min(0).max(6));

/** Silences of the organization in force now. */
export async function activeSilences(db: Kysely<Database>, orgId: number): Promise<ActiveSilence[]> {
  const rows = await db
    .selectFrom('silences')
    .select(['id', 'matchers'])
    .where('organization_id', '=', orgId)
    .where('starts_at', '<=', sql<Date>`now()`)
    .where('ends_at', '>', sql<Date>`now()`)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, matchers: Matchers.parse(r.matchers) }));
}

/** Active recurring windows of the organization (whether one is in force is decided by the clock). */
export async function maintenanceWindows(db: Kysely<Database>, orgId: number): Promise<ActiveWindow[]> {
  const rows = await db
    .selectFrom('maintenance_windows')
    .select(['id', 'environment_id', 'weekdays', 'start_time', 'end_time', 'time_zone'])
    .where('organization_id', '=', orgId)
    .where('is_active', '=', true)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    environmentId: r.environment_id,
    weekdays: Weekdays.parse(r.weekdays),
    startTime: r.start_time,
    endTime: r.end_time,
    timeZone: r.time_zone,
  }));
}

/** Records a silence once per command message. */
export async function insertSilence(
  db: Kysely<Database>,
  s: {
    orgId: number;
    messageId: string;
    matchers: SilenceMatcher[];
    startsAt: Date;
    endsAt: Date;
    createdBy: string;
    comment: string;
  },
): Promise<void> {
  await db
    .insertInto('silences')
    .values({
      organization_id: s.orgId,
      matchers: JSON.stringify(s.matchers),
      starts_at: s.startsAt,
      ends_at: s.endsAt,
      created_by: s.createdBy,
      comment: s.comment,
      source_message_id: s.messageId,
    })
    .onConflict((oc) => oc.column('source_message_id').doNothing())
    .execute();
}

/** Records a recurring maintenance window or quiet hours of one environment. */
export async function insertMaintenanceWindow(
  db: Kysely<Database>,
  w: {
    orgId: number;
    envId: number;
    name: string;
    kind: 'maintenance' | 'quiet_hours';
    weekdays: readonly number[];
    startTime: string;
    endTime: string;
    timeZone: string;
  },
): Promise<number> {
  const row = await db
    .insertInto('maintenance_windows')
    .values({
      organization_id: w.orgId,
      environment_id: w.envId,
      name: w.name,
      kind: w.kind,
      weekdays: JSON.stringify([...w.weekdays].sort((a, b) => a - b)),
      start_time: w.startTime,
      end_time: w.endTime,
      time_zone: w.timeZone,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
