import type { EventKey } from '@driftguard/contracts';
import type { EventHandler } from '../../src/index.js';
import type { TestDb } from './test-bus.fixture.js';

/** A handler whose effect is one test_effects row, written in the consumer's transaction. */
export function recordEffect<K extends EventKey>(instance: string, workMs = 0): EventHandler<K, TestDb> {
  return async (event, { tx }) => {
    if (workMs > 0) await new Promise((r) => setTimeout(r, workMs));
    await tx.insertInto('test_effects').values({ event_id: event.id, instance }).execute();
  };
}
