import { enqueue } from '@driftguard/bus';
import type { ContextSource } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import { contextEventId } from './context-event-id.js';
import { payloadProblem } from './context-payload.js';
import type { SignalDraft } from './context-signal.js';
import { cloudEnvironments, type CloudEnvironment } from './context-environments.queries.js';

export interface PublishContextInput {
  orgId: number;
  /** The environment every signal goes to; null routes each CloudTrail record by account and region. */
  envId: number | null;
  source: ContextSource;
  signals: SignalDraft[];
  subjectRoot: string;
}

export interface PublishedContext {
  published: number;
  duplicates: number;
  eventIds: string[];
}

/**
 * Publishes each signal as `dg.context.<kind>.v1.<org>.<env>` through the outbox, all in one
 * transaction (a delivery is published whole or not at all). A signal whose envelope id is
 * already in the outbox, or repeated in the delivery, is a duplicate and not enqueued again.
 */
export async function publishContext(db: Kysely<Database>, input: PublishContextInput): Promise<PublishedContext> {
  const { orgId, source, signals, subjectRoot } = input;
  const route = input.envId === null ? router(source, await cloudEnvironments(db, orgId)) : () => input.envId!;
  const planned = signals.map((s) => ({ ...s, envId: route(s), id: contextEventId(orgId, source, s.sourceId) }));
  const eventIds = planned.map((p) => p.id);
  const write = () =>
    db.transaction().execute(async (tx) => {
      const known = eventIds.length === 0 ? [] : await tx.selectFrom('outbox').select('id').where('id', 'in', eventIds).execute();
      const seen = new Set(known.map((r) => r.id));
      let published = 0;
      for (const p of planned) {
        if (seen.has(p.id)) continue;
        seen.add(p.id);
        // Sources write offsets and precisions of their own; events carry UTC, milliseconds.
        const occurredAt = new Date(p.data.occurredAt).toISOString();
        await enqueue(
          tx,
          `context.${p.kind}.v1`,
          orgId,
          p.envId,
          { ...p.data, occurredAt },
          { id: p.id, occurredAt, subjectRoot },
        );
        published += 1;
      }
      return published;
    });
  let published: number;
  try {
    published = await write();
  } catch (err) {
    // A concurrent delivery of the same signal committed first: the retry sees its row and skips it.
    if (!isUniqueViolation(err)) throw err;
    published = await write();
  }
  return { published, duplicates: planned.length - published, eventIds };
}

/** Routes a CloudTrail record to the environment with its account and region (else its account, any region). */
function router(source: ContextSource, envs: CloudEnvironment[]): (s: SignalDraft) => number {
  return (s) => {
    if (!s.cloud)
      throw payloadProblem(
        source,
        [{ path: '', message: 'this token is not bound to an environment; pass env=<org>/<env>' }],
        400,
        'environment_required',
      );
    const { accountId, region, pointer } = s.cloud;
    const exact = envs.find((e) => e.accountId === accountId && e.region === region);
    const anyRegion = envs.find((e) => e.accountId === accountId && e.region === null);
    const env = exact ?? anyRegion;
    if (!env) {
      throw payloadProblem(
        source,
        [
          {
            path: `${pointer}/recipientAccountId`,
            message: `no environment of your organization watches AWS account ${accountId} in ${region}; pass env=<org>/<env> or set the environment's account and region`,
          },
        ],
        422,
        'environment_not_matched',
      );
    }
    return env.envId;
  };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === '23505';
}
