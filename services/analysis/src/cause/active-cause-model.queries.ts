import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';

/** Id and version of the active model of `name`, without its artifact. */
export async function activeModelVersion(db: Kysely<Database>, name: string) {
  return db
    .selectFrom('ml_models')
    .select(['id', 'version'])
    .where('name', '=', name)
    .where('is_active', '=', true)
    .executeTakeFirst();
}
