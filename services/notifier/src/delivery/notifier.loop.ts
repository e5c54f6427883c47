import { runAsOrg, type Database } from '@driftguard/db';
import { createRepeatingTask, type RepeatingTask } from '@driftguard/runtime/boot';
import { sql, type Kysely } from 'kysely';
import { flushGroup } from '../grouping/group.flush.js';
import { lockDueGroups } from '../grouping/notification-groups.queries.js';
import { channelsOf, rulesOf } from '../routing/routing-rules.queries.js';
import { activeSilences, maintenanceWindows } from '../silencing/silences.queries.js';
import { deliverClaimed, type DeliverDeps } from './deliver.js';
import { claimDue } from './notifications.queries.js';

export interface NotifierLoopOptions extends DeliverDeps {
  pollMs: number;
  leaseMs: number;
  repeatIntervalMs: number;
  /** groups flushed and notifications claimed per organization and round */
  batchSize?: number;
}

export interface NotifierLoop {
  start(): void;
  /** Stops and waits for the round in progress (deliveries in flight finish and are recorded); safe to call twice. */
  stop(): Promise<void>;
  /** Runs one round now; resolves with how much it did. */
  runOnce(): Promise<number>;
}

/**
 * The notifier's clock: each round asks which organizations have due work, then, inside each
 * one's row-level-security scope, flushes its due groups into notification rows and delivers
 * the notifications it can claim. Any number of instances may run it: groups are locked with
 * SKIP LOCKED, notifications are claimed under a lease before the provider is called.
 */
export function createNotifierLoop(options: NotifierLoopOptions): NotifierLoop {
  const log = options.log.child({ subsystem: 'notifier:loop' });
  const db: Kysely<Database> = options.db;
  const batch = options.batchSize ?? 50;

  const flush = async (orgId: number): Promise<number> => {
    const [rules, channels, silences, windows] = await Promise.all([
      rulesOf(db, orgId),
      channelsOf(db, orgId),
      activeSilences(db, orgId),
      maintenanceWindows(db, orgId),
    ]);
    return db.transaction().execute(async (tx) => {
      const groups = await lockDueGroups(tx, orgId, batch);
      const now = new Date();
      let written = 0;
      for (const group of groups) {
        written +=
          1 +
          (await flushGroup(tx, group, { now, repeatIntervalMs: options.repeatIntervalMs, rules, channels, silences, windows }));
      }
      return written;
    });
  };

  const deliver = async (orgId: number): Promise<number> => {
    const claimed = await claimDue(db, orgId, options.instance, { leaseMs: options.leaseMs, batch });
    if (claimed.length === 0) return 0;
    const channels = new Map((await channelsOf(db, orgId)).map((c) => [c.id, c]));
    await Promise.all(
      claimed.map(async (n) => {
        const channel = n.channel_id === null ? undefined : channels.get(n.channel_id);
        if (!channel) return;
        await deliverClaimed(options, n, channel);
      }),
    );
    return claimed.length;
  };

  const round = async (): Promise<number> => {
    const due = await sql<{ organization_id: number }>`SELECT organization_id FROM dg_notifier_due_organizations()`.execute(db);
    let done = 0;
    for (const { organization_id: orgId } of due.rows) {
      if (task.stopping) break;
      done += await runAsOrg(orgId, async () => (await flush(orgId)) + (await deliver(orgId)));
    }
    return done;
  };

  const task: RepeatingTask<number> = createRepeatingTask({
    round,
    onError: (err) => {
      log.error({ err }, 'notifier round failed');
      return 0;
    },
    // A round that did something is followed at once: there may be more.
    nextDelayMs: (done) => (done > 0 ? 0 : options.pollMs),
  });

  return { start: () => task.start(), stop: () => task.stop(), runOnce: () => task.runOnce() };
}
