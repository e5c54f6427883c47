import { catalog, subjectFor, type DataOf, type EventKey, type EventOf } from '@driftguard/contracts';
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { enqueue, type Bus } from '../../src/index.js';
import type { TestDb } from './test-bus.fixture.js';

export const ORG_ID = 1;
export const ENV_ID = 1;

export const repoSync = (i: number): DataOf<'cmd.repo.sync.v1'> => ({ repositoryId: i + 1, reason: `test ${i}` });
export const driftResolve = (i: number, note?: string): DataOf<'cmd.drift.resolve.v1'> => ({
  driftEventId: i + 1,
  resolutionType: 'accepted',
  ...(note === undefined ? {} : { note }),
});

/** A valid envelope for `key`, as the outbox would publish it. */
export function envelope<K extends EventKey>(key: K, data: DataOf<K>, id = uuidv7()): EventOf<K> {
  return { id, type: catalog[key].type, occurredAt: new Date().toISOString(), orgId: ORG_ID, envId: ENV_ID, data } as EventOf<K>;
}

/** Publishes straight to JetStream (bypassing the outbox), with `msgId` as Nats-Msg-Id. */
export async function publishDirect(bus: Bus, key: EventKey, body: unknown, msgId?: string): Promise<void> {
  const subject = subjectFor(key, ORG_ID, ENV_ID, bus.config.subjectRoot);
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  await bus.js.publish(subject, payload, msgId === undefined ? {} : { msgID: msgId });
}

/** Writes `count` events to the outbox from `writers` concurrent sessions, `perTx` per transaction. */
export async function enqueueMany(db: Kysely<TestDb>, bus: Bus, count: number, { perTx = 250, writers = 4 } = {}): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < count) {
      const start = next;
      const end = Math.min(start + perTx, count);
      next = end;
      await db.transaction().execute(async (tx) => {
        for (let i = start; i < end; i++) {
          await enqueue(tx, 'cmd.repo.sync.v1', ORG_ID, ENV_ID, repoSync(i), { subjectRoot: bus.config.subjectRoot });
        }
      });
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
}
