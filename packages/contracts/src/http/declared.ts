import { z } from 'zod';
import { RejectedItem } from './scans.js';

/** Path parameters of `PUT /v1/repositories/:repositoryId/declared`. */
export const DeclaredUploadParams = z.object({ repositoryId: z.string() });

/** `200` answer of a declared-state upload: what replacing the repository's declared state changed. */
export const DeclaredUploadAnswer = z.object({
  repositoryId: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  removed: z.number().int(),
  total: z.number().int(),
  rejected: z.array(RejectedItem),
});
export type DeclaredUploadAnswer = z.infer<typeof DeclaredUploadAnswer>;
