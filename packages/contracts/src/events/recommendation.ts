import { z } from 'zod';
import { envelopeOf } from '../envelope.js';
import { EstimatedEffort, Priority, RecommendationType } from '../enums.js';

export const RecommendationCreatedV1Data = z.object({
  recommendationId: z.number().int().positive(),
  driftEventId: z.number().int().positive(),
  recommendationType: RecommendationType,
  priority: Priority,
  confidenceScore: z.number().min(0).max(1),
  rationale: z.string(),
  implementationSteps: z.array(z.string()),
  estimatedEffort: EstimatedEffort.optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export const RecommendationCreatedV1 = envelopeOf('recommendation.created', RecommendationCreatedV1Data);
export type RecommendationCreatedV1 = z.infer<typeof RecommendationCreatedV1>;
