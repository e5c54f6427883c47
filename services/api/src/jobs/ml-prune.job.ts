import type { JobContext } from './job-context.js';
import { pruneMlModels } from './lifecycle.queries.js';

export interface MlPruneResult {
  removedModelIds: number[];
}

/**
 * Keeps the newest DG_ML_KEEP_VERSIONS versions of each model (and the active one), as the
 * analysis registry does when it registers one; predictions keep their rows.
 */
export async function runMlPrune(ctx: JobContext): Promise<MlPruneResult> {
  const removedModelIds = await pruneMlModels(ctx.db, ctx.settings.DG_ML_KEEP_VERSIONS);
  if (removedModelIds.length > 0) ctx.log.info({ removedModelIds }, 'old model versions removed');
  return { removedModelIds };
}
