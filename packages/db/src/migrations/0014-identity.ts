import { sql, type Kysely } from 'kysely';

/**
 * People and console sessions.
 *
 * - `users.oidc_issuer` / `users.oidc_subject`: the OpenID Connect identity a user signed in with
 *   (bound at the first sign-in, by verified email); one identity maps to one user.
 * - `user_sessions.id` holds the sha256 (hex) of the session secret kept in the browser's
 *   cookie, never the secret itself; `revoked_at` records a logout or an administrator's revocation.
 *
 * Signing in and resolving a session cookie happen before the organization is known, so the api
 * reaches them through SECURITY DEFINER functions (like 0006's token lookup), callable by
 * dg_api only: by email, by OIDC identity, by session id hash; and a conditional touch of a
 * session's last activity.
 */
const up_ = [
  'ALTER TABLE users ADD COLUMN oidc_issuer VARCHAR(2048)',
  'ALTER TABLE users ADD COLUMN oidc_subject VARCHAR(255)',
  `ALTER TABLE users ADD CONSTRAINT users_oidc_identity_check
    CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL))`,
  'CREATE UNIQUE INDEX users_oidc_identity_idx ON users (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL',
  'CREATE INDEX users_email_idx ON users (email)',
  'ALTER TABLE user_sessions ADD COLUMN revoked_at TIMESTAMP WITH TIME ZONE',
  'CREATE INDEX idx_user_sessions_org ON user_sessions (organization_id)',
  `CREATE FUNCTION dg_login_candidates(login_email text)
    RETURNS TABLE (id integer, organization_id integer, organization_slug varchar, role varchar,
      password_hash text, is_active boolean, organization_active boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT u.id, u.organization_id, o.slug, u.role, u.password_hash, u.is_active, o.is_active
      FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.email = lower(login_email) $$`,
  `CREATE FUNCTION dg_oidc_candidates(issuer text, subject text, login_email text)
    RETURNS TABLE (id integer, organization_id integer, organization_slug varchar, role varchar,
      oidc_subject varchar, is_active boolean, organization_active boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT u.id, u.organization_id, o.slug, u.role, u.oidc_subject, u.is_active, o.is_active
      FROM users u JOIN organizations o ON o.id = u.organization_id
      WHERE (u.oidc_issuer = issuer AND u.oidc_subject = subject)
        OR (login_email IS NOT NULL AND u.email = lower(login_email) AND u.oidc_subject IS NULL) $$`,
  `CREATE FUNCTION dg_session_by_id(session_id text)
    RETURNS TABLE (id varchar, user_id integer, organization_id integer, role varchar, expires_at timestamptz,
      last_activity timestamptz, is_active boolean, revoked_at timestamptz, user_active boolean,
      organization_active boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT s.id, s.user_id, s.organization_id, u.role, s.expires_at, s.last_activity, s.is_active,
      s.revoked_at, u.is_active, o.is_active
      FROM user_sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = s.organization_id
      WHERE s.id = session_id $$`,
  // Conditional, so concurrent requests of one session write at most once per interval.
  `CREATE FUNCTION dg_touch_user_session(session_id text, interval_seconds double precision)
    RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ UPDATE user_sessions SET last_activity = now() WHERE id = session_id
      AND (last_activity IS NULL OR last_activity < now() - make_interval(secs => interval_seconds)) $$`,
];

const functionNames = [
  'dg_login_candidates(text)',
  'dg_oidc_candidates(text, text, text)',
  'dg_session_by_id(text)',
  'dg_touch_user_session(text, double precision)',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
  for (const fn of functionNames) {
    await sql.raw(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`).execute(db);
    await sql
      .raw(
        `DO $do$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_api') THEN
            GRANT EXECUTE ON FUNCTION ${fn} TO dg_api;
          END IF;
        END $do$`,
      )
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const fn of functionNames) await sql.raw(`DROP FUNCTION ${fn}`).execute(db);
  for (const s of [
    'DROP INDEX idx_user_sessions_org',
    'ALTER TABLE user_sessions DROP COLUMN revoked_at',
    'DROP INDEX users_email_idx',
    'DROP INDEX users_oidc_identity_idx',
    'ALTER TABLE users DROP CONSTRAINT users_oidc_identity_check',
    'ALTER TABLE users DROP COLUMN oidc_subject',
    'ALTER TABLE users DROP COLUMN oidc_issuer',
  ]) {
    await sql.raw(s).execute(db);
  }
}
