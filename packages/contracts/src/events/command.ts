import { z } from 'zod';
import { envelopeOf } from '../envelope.js';
import { CauseCategory, ResolutionType } from '../enums.js';

/** Close an open drift: the engineer's verdict, which analysis also learns from. */
export const CmdDriftResolveV1Data = z.object({
  driftEventId: z.number().int().positive(),
  resolutionType: ResolutionType,
  confirmedCause: CauseCategory.optional(),
  actor: z.string().max(255).optional(),
  note: z.string().max(4000).optional(),
});
export const CmdDriftResolveV1 = envelopeOf('cmd.drift.resolve', CmdDriftResolveV1Data);
export type CmdDriftResolveV1 = z.infer<typeof CmdDriftResolveV1>;

/** Re-read the declared state of one IaC repository now. */
export const CmdRepoSyncV1Data = z.object({
  repositoryId: z.number().int().positive(),
  reason: z.string().max(255).optional(),
});
export const CmdRepoSyncV1 = envelopeOf('cmd.repo.sync', CmdRepoSyncV1Data);
export type CmdRepoSyncV1 = z.infer<typeof CmdRepoSyncV1>;
