import { z } from 'zod';
import { Role } from '../enums.js';

/** `GET /v1/whoami` (api): who the presented token speaks for. */
export const WhoAmI = z.object({
  tokenId: z.number().int(),
  orgId: z.number().int(),
  /** Set when the token is bound to one environment. */
  envId: z.number().int().nullable(),
  role: Role,
});
export type WhoAmI = z.infer<typeof WhoAmI>;
