import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Database } from '@driftguard/db';
import { generateToken } from '@driftguard/runtime';
import type { IacTool } from '@driftguard/contracts';
import { FIXTURES_DIR } from './fixtures/fixture-files.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../../..');

export const FIXTURES = FIXTURES_DIR;

export interface TenantRows {
  orgId: number;
  envId: number;
  orgSlug: string;
}

/** An organization with one environment (`prod`), written straight to the tables. */
export async function tenantRows(db: Kysely<Database>): Promise<TenantRows> {
  const orgSlug = `org-${randomBytes(4).toString('hex')}`;
  const org = await db
    .insertInto('organizations')
    .values({ name: orgSlug, slug: orgSlug })
    .returning('id')
    .executeTakeFirstOrThrow();
  const env = await db
    .insertInto('environments')
    .values({ organization_id: org.id, name: 'prod', slug: 'prod', cloud_provider: 'aws' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { orgId: org.id, envId: env.id, orgSlug };
}

/** Another environment of an organization. */
export async function environmentRow(db: Kysely<Database>, orgId: number, slug: string): Promise<number> {
  const env = await db
    .insertInto('environments')
    .values({ organization_id: orgId, name: slug, slug, cloud_provider: 'aws' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return env.id;
}

/** An API token; `envId` null makes it organization-wide. */
export async function tokenRow(
  db: Kysely<Database>,
  orgId: number,
  envId: number | null,
  role: 'admin' | 'engineer' | 'viewer' | 'scanner',
  extra: { revoked?: boolean; expired?: boolean } = {},
): Promise<string> {
  const t = generateToken();
  await db
    .insertInto('api_tokens')
    .values({
      organization_id: orgId,
      environment_id: envId,
      name: `${role}-${t.prefix}`,
      token_prefix: t.prefix,
      token_hash: t.hash,
      role,
      ...(extra.revoked ? { revoked_at: new Date() } : {}),
      ...(extra.expired ? { expires_at: new Date(Date.now() - 60_000) } : {}),
    })
    .execute();
  return t.token;
}

export async function repositoryRow(
  db: Kysely<Database>,
  envId: number,
  tool: IacTool,
  extra: { url?: string; branch?: string; credentials?: Buffer; name?: string } = {},
): Promise<number> {
  const row = await db
    .insertInto('iac_repositories')
    .values({
      environment_id: envId,
      name: extra.name ?? `${tool}-${randomBytes(3).toString('hex')}`,
      tool,
      repository_url: extra.url ?? null,
      branch: extra.branch ?? 'main',
      credentials_encrypted: extra.credentials ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function resourceIds(db: Kysely<Database>, repositoryId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('iac_resources')
    .select('resource_id')
    .where('iac_repository_id', '=', repositoryId)
    .orderBy('resource_id')
    .execute();
  return rows.map((r) => r.resource_id);
}
