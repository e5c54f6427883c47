import { runAsOrg, type Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from './token-verifier.js';

/** An environment found by its slugs. */
export interface EnvironmentRow {
  orgId: number;
  envId: number;
}

/** Finds environments by `<org>/<env>` slugs, for routes that let a token name one. */
export interface EnvironmentDirectory {
  /** The environment `orgSlug/envSlug`, looked up within organization `orgId` only (its RLS scope). */
  find(orgId: number, orgSlug: string, envSlug: string): Promise<EnvironmentRow | undefined>;
}

/** What `requireToken` needs: a token verifier and the environment directory. */
export interface TokenAuth {
  verifier: TokenVerifier;
  environments: EnvironmentDirectory;
}

/** The environment directory over the `environments` and `organizations` tables. */
export function createEnvironmentDirectory(db: Kysely<Database>): EnvironmentDirectory {
  return {
    async find(orgId, orgSlug, envSlug) {
      const row = await runAsOrg(orgId, () =>
        db
          .selectFrom('environments')
          .innerJoin('organizations', 'organizations.id', 'environments.organization_id')
          .select(['environments.id as envId', 'organizations.id as orgId'])
          .where('organizations.slug', '=', orgSlug)
          .where('organizations.id', '=', orgId)
          .where('environments.slug', '=', envSlug)
          .executeTakeFirst(),
      );
      return row ? { orgId: Number(row.orgId), envId: Number(row.envId) } : undefined;
    },
  };
}

/** Token auth over one database: what the service shell hands every HTTP server. */
export function createTokenAuth(db: Kysely<Database>, options: TokenVerifierOptions = {}): TokenAuth {
  return { verifier: createTokenVerifier(db, options), environments: createEnvironmentDirectory(db) };
}
