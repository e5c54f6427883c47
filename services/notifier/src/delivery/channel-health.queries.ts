import type { Database } from '@driftguard/db';
import { sql, type Transaction } from 'kysely';

/** A success ends a channel's failure streak. */
export async function recordChannelSuccess(tx: Transaction<Database>, channelId: number): Promise<void> {
  await tx
    .updateTable('channel_health')
    .set({
      consecutive_failures: 0,
      failing_since: null,
      healthy: true,
      unhealthy_reported_at: null,
      last_success_at: sql<Date>`now()`,
      last_error: null,
    })
    .where('channel_id', '=', channelId)
    .execute();
}

/**
 * Counts a failure; a Retry-After pauses the channel for every instance. Returns the channel's
 * state when it has failed for `unhealthyAfterMs` and was not reported yet (it is marked
 * reported in the same statement, so one instance reports it once).
 */
export async function recordChannelFailure(
  tx: Transaction<Database>,
  channelId: number,
  f: { error: string; pauseMs?: number; unhealthyAfterMs: number },
): Promise<{ failingSince: Date } | undefined> {
  const row = await tx
    .updateTable('channel_health')
    .set({
      consecutive_failures: sql<number>`consecutive_failures + 1`,
      failing_since: sql<Date>`coalesce(failing_since, now())`,
      last_error: f.error.slice(0, 1000),
      ...(f.pauseMs !== undefined
        ? {
            next_send_at: sql<Date>`greatest(next_send_at, clock_timestamp() + make_interval(secs => ${f.pauseMs / 1000}::double precision))`,
          }
        : {}),
    })
    .where('channel_id', '=', channelId)
    .returning(['failing_since', 'unhealthy_reported_at'])
    .executeTakeFirst();
  if (!row?.failing_since || row.unhealthy_reported_at) return undefined;
  if (Date.now() - row.failing_since.getTime() < f.unhealthyAfterMs) return undefined;
  await tx
    .updateTable('channel_health')
    .set({ healthy: false, unhealthy_reported_at: sql<Date>`now()` })
    .where('channel_id', '=', channelId)
    .execute();
  return { failingSince: row.failing_since };
}
