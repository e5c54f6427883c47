import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';

/** An environment of an organization by the cloud account it watches. */
export interface CloudEnvironment {
  envId: number;
  accountId: string;
  region: string | null;
}

/** The organization's active environments that name a cloud account (for CloudTrail routing). */
export async function cloudEnvironments(db: Kysely<Database>, orgId: number): Promise<CloudEnvironment[]> {
  const rows = await db
    .selectFrom('environments')
    .select(['id', 'account_id', 'region'])
    .where('organization_id', '=', orgId)
    .where('account_id', 'is not', null)
    .where((eb) => eb.or([eb('is_active', 'is', null), eb('is_active', '=', true)]))
    .orderBy('id')
    .execute();
  return rows.flatMap((r) => (r.account_id === null ? [] : [{ envId: r.id, accountId: r.account_id, region: r.region }]));
}
