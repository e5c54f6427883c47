import { z } from 'zod';
import { Role } from '../enums.js';

/** The roles a person can hold (`scanner` is for tokens only). */
export const UserRole = z.enum(['admin', 'engineer', 'viewer']);
export type UserRole = z.infer<typeof UserRole>;

/** A numeric id in a path (`/v1/tokens/:id`). */
export const NumericIdParams = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });
export type NumericIdParams = z.infer<typeof NumericIdParams>;

/** `POST /v1/tokens` (api, admin): a token of the caller's organization. */
export const CreateTokenBody = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  role: Role,
  /** Slug of an environment of the caller's organization to bind the token to; omitted: organization-wide. */
  environment: z.string().min(1).max(100).optional(),
  /** `90d`, `12h`, `30m`, `2w` or `never`; default 90d. */
  expiresIn: z
    .string()
    .regex(/^(never|[1-9]\d{0,4}[mhdw])$/, { error: 'expected a duration like 90d, 12h, 30m or 2w, or "never"' })
    .default('90d'),
});
export type CreateTokenBody = z.input<typeof CreateTokenBody>;

/** An API token as listed: never its secret nor its hash. */
export const TokenView = z.object({
  id: z.number().int(),
  name: z.string(),
  prefix: z.string(),
  role: Role,
  environmentId: z.number().int().nullable(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type TokenView = z.infer<typeof TokenView>;

/** The answer to `POST /v1/tokens`: the only time the token itself is shown. */
export const CreatedToken = TokenView.extend({ token: z.string() });
export type CreatedToken = z.infer<typeof CreatedToken>;

export const TokenList = z.object({ items: z.array(TokenView) });
export type TokenList = z.infer<typeof TokenList>;

/** `POST /v1/users` (api, admin). Without a password the user signs in with OpenID Connect only. */
export const CreateUserBody = z.object({
  email: z.email().max(320),
  displayName: z.string().trim().min(1).max(255).optional(),
  role: UserRole.default('viewer'),
  password: z.string().min(12).max(1024).optional(),
});
export type CreateUserBody = z.input<typeof CreateUserBody>;

/** `PATCH /v1/users/:id` (api, admin). */
export const UpdateUserBody = z
  .object({
    displayName: z.string().trim().min(1).max(255).nullable().optional(),
    role: UserRole.optional(),
    isActive: z.boolean().optional(),
    password: z.string().min(12).max(1024).optional(),
  })
  .refine((body) => Object.values(body).some((v) => v !== undefined), { error: 'nothing to change' });
export type UpdateUserBody = z.input<typeof UpdateUserBody>;

/** A user as listed: never the password hash. */
export const UserView = z.object({
  id: z.number().int(),
  email: z.string(),
  displayName: z.string().nullable(),
  role: UserRole,
  isActive: z.boolean(),
  hasPassword: z.boolean(),
  oidcLinked: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type UserView = z.infer<typeof UserView>;

export const UserList = z.object({ items: z.array(UserView) });
export type UserList = z.infer<typeof UserList>;

/** `POST /v1/auth/login`. `organization` (slug) is needed only when the email exists in several. */
export const LoginBody = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
  organization: z.string().min(1).max(100).optional(),
});
export type LoginBody = z.infer<typeof LoginBody>;

/** The console session: who is signed in, until when, and the CSRF token every write must send. */
export const SessionView = z.object({
  userId: z.number().int(),
  orgId: z.number().int(),
  role: UserRole,
  expiresAt: z.iso.datetime(),
  /** Send as `X-CSRF-Token` on every cookie-authenticated POST, PATCH, PUT or DELETE. */
  csrfToken: z.string(),
});
export type SessionView = z.infer<typeof SessionView>;

/** A console session as an administrator sees it (never the cookie's secret). */
export const SessionListItem = z.object({
  id: z.string(),
  userId: z.number().int(),
  ipAddress: z.string(),
  userAgent: z.string().nullable(),
  createdAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime(),
  lastActivity: z.iso.datetime().nullable(),
  active: z.boolean(),
});
export type SessionListItem = z.infer<typeof SessionListItem>;

export const SessionList = z.object({ items: z.array(SessionListItem) });
export type SessionList = z.infer<typeof SessionList>;

export const SessionIdParams = z.object({ id: z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a session id' }) });
export type SessionIdParams = z.infer<typeof SessionIdParams>;

/** `GET /v1/auth/oidc/callback`: what the provider sends back to the redirect URI. */
export const OidcCallbackQuery = z.looseObject({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
});
export type OidcCallbackQuery = z.infer<typeof OidcCallbackQuery>;
