import { enqueue } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import { contextEventId } from '../context/context-event-id.js';
import type { SlackCommand } from './slack-actions.js';

export interface PublishedCommands {
  published: number;
  duplicates: number;
  eventIds: string[];
}

/**
 * Publishes the commands of one interaction through the outbox in one transaction, each with an
 * envelope id derived from the press (team, user, action_ts, action, value): a request Slack
 * sends again is published once.
 */
export async function publishSlackCommands(
  db: Kysely<Database>,
  input: { orgId: number; envId: number; commands: SlackCommand[]; subjectRoot: string; now: Date },
): Promise<PublishedCommands> {
  const planned = input.commands.map((c) => ({ ...c, id: contextEventId(input.orgId, 'slack-interaction', c.sourceId) }));
  const eventIds = planned.map((p) => p.id);
  const write = () =>
    db.transaction().execute(async (tx) => {
      const known = eventIds.length === 0 ? [] : await tx.selectFrom('outbox').select('id').where('id', 'in', eventIds).execute();
      const seen = new Set(known.map((r) => r.id));
      let published = 0;
      for (const p of planned) {
        if (seen.has(p.id)) continue;
        seen.add(p.id);
        const opts = { id: p.id, occurredAt: input.now, subjectRoot: input.subjectRoot };
        // One call per key keeps each command's data checked against its own contract.
        switch (p.key) {
          case 'cmd.notification.acknowledge.v1':
            await enqueue(tx, p.key, input.orgId, input.envId, p.data, opts);
            break;
          case 'cmd.recommendation.respond.v1':
            await enqueue(tx, p.key, input.orgId, input.envId, p.data, opts);
            break;
          case 'cmd.silence.create.v1':
            await enqueue(tx, p.key, input.orgId, input.envId, p.data, opts);
            break;
          default: {
            const unknown: never = p;
            throw new Error(`no command for ${String(unknown)}`);
          }
        }
        published += 1;
      }
      return published;
    });
  let published: number;
  try {
    published = await write();
  } catch (err) {
    // The same press delivered twice at once: the retry sees the other's row and skips it.
    if (!isUniqueViolation(err)) throw err;
    published = await write();
  }
  return { published, duplicates: planned.length - published, eventIds };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === '23505';
}
