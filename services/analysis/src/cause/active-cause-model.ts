import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import { artifactOf, CAUSE_MODEL_NAME } from '../ml/cause-model.registry.js';
import { CauseModel } from '../ml/cause-model.js';
import { findActiveModel } from '../ml/ml-models.queries.js';
import { activeModelVersion } from './active-cause-model.queries.js';

/** The active cause model of the registry, kept loaded between messages. */
export interface ActiveCauseModel {
  /** The active model with its registry id, loading it when activation changed; null while none is active. */
  get(db: Kysely<Database>): Promise<{ id: number; model: CauseModel } | null>;
  /** Frees the loaded model (at shutdown). */
  close(): void;
}

/**
 * Loads the active model once and again only when another version is activated: a drift costs one
 * small query for the active id, not the artifact's parse. Predictions are synchronous, so a model
 * replaced between two awaits is never in use when it is freed.
 */
export function createActiveCauseModel(name = CAUSE_MODEL_NAME): ActiveCauseModel {
  let loaded: { id: number; model: CauseModel } | null = null;
  const drop = () => {
    loaded?.model.free();
    loaded = null;
  };
  return {
    async get(db) {
      const active = await activeModelVersion(db, name);
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
