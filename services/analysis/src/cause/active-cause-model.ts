import type { Database } from '@driftguard/db';
import type { Transaction } from 'kysely';
import { artifactOf, CAUSE_MODEL_NAME } from '../ml/cause-model.registry.js';
import { CauseModel } from '../ml/cause-model.js';
import { findActiveModel } from '../ml/ml-models.queries.js';
import { activeModelVersion } from './active-cause-model.queries.js';

/** The active cause model of the registry, kept loaded between messages. */
export interface ActiveCauseModel {
  /**
   * The active model with its registry id, loading it when activation changed; null while none is
   * active. Asked once per transaction.
   */
  get(tx: Transaction<Database>): Promise<{ id: number; model: CauseModel } | null>;
  /** Frees the loaded model (at shutdown). */
  close(): void;
}

/**
 * Loads the active model once and again only when another version is activated: a transaction
 * costs one small query for the active id (its drifts, when a batch shares it, use the answer of
 * its first), not the artifact's parse. Predictions are synchronous, so a model replaced between
 * two awaits is never in use when it is freed.
 */
export function createActiveCauseModel(name = CAUSE_MODEL_NAME): ActiveCauseModel {
  let loaded: { id: number; model: CauseModel } | null = null;
  const drop = () => {
    loaded?.model.free();
    loaded = null;
  };
  const activeIn = new WeakMap<object, Promise<{ id: number } | undefined>>();
  const activeOf = (db: Transaction<Database>) => {
    const known = activeIn.get(db);
    if (known) return known;
    const asked = activeModelVersion(db, name);
    activeIn.set(db, asked);
    // a failed read is not remembered: the next drift asks again
    asked.catch(() => activeIn.delete(db));
    return asked;
  };
  return {
    async get(db) {
      const active = await activeOf(db);
      if (!active) {
        drop();
        return null;
      }
      if (loaded?.id === active.id) return loaded;
      const row = await findActiveModel(db, name);
      if (!row) return null;
      const model = await CauseModel.load(artifactOf(row), row.version);
      drop();
      loaded = { id: row.id, model };
      return loaded;
    },
    close: drop,
  };
}
