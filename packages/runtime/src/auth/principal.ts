import type { Role } from '@driftguard/contracts';

/** Who acts: a person through a console session, or an API token. */
export type ActorKind = 'user' | 'token';

/**
 * The one principal shape `requireToken` yields, whether the request carried a bearer token or a
 * session cookie: the organization it acts for, the environment it is bound to (tokens only),
 * its role, and who acts.
 */
export interface Principal {
  actor: ActorKind;
  orgId: number;
  /** Set when the token is bound to one environment; always null for a user. */
  envId: number | null;
  role: Role;
  /** The token's id when `actor` is 'token'. */
  tokenId: number | null;
  /** The user's id when `actor` is 'user'. */
  userId: number | null;
  /** The session's id (sha256 of the cookie's secret, hex) when `actor` is 'user'. */
  sessionId: string | null;
}
