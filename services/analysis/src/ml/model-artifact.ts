import { CauseCategory } from '@driftguard/contracts';
import { z } from 'zod';

/**
 * Everything needed to predict with a trained cause model, stored as jsonb in
 * `ml_models.metadata.artifact`: the booster's model file (base64) and options, the feature
 * names in vector order, the classes in output order, the calibration temperature and the
 * baseline vector contributions are measured against.
 */
export const CauseModelArtifact = z.object({
  format: z.literal('driftguard-cause-model/1'),
  featureNames: z.array(z.string()).min(1),
  classes: z.array(CauseCategory).min(2),
  temperature: z.number().positive(),
  baseline: z.array(z.number()),
  booster: z.object({
    modelBase64: z.string().min(1),
    options: z.record(z.string(), z.union([z.string(), z.number()])),
  }),
});
export type CauseModelArtifact = z.infer<typeof CauseModelArtifact>;
