import { z } from 'zod';
import { Role } from '../enums.js';

/** `GET /v1/whoami` (api): who the presented token or console session speaks for. */
export const WhoAmI = z.object({
  /** Added with console sessions: `user` for a session cookie, `token` for a bearer token. */
  actor: z.enum(['user', 'token']),
  /** The token's id; null for a user's session. */
  tokenId: z.number().int().nullable(),
  /** Added with console sessions: the user's id; null for a token. */
  userId: z.number().int().nullable(),
  orgId: z.number().int(),
  /** Set when the token is bound to one environment. */
  envId: z.number().int().nullable(),
  role: Role,
});
export type WhoAmI = z.infer<typeof WhoAmI>;
