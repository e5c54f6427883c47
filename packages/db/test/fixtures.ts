import type { Kysely } from 'kysely';
import type { Database } from '../src/index.js';

/** Builders of minimal tenant rows for tests. */
export async function seedOrganization(db: Kysely<Database>, slug: string) {
  const org = await db
    .insertInto('organizations')
    .values({ name: `Org ${slug}`, slug })
    .returning('id')
    .executeTakeFirstOrThrow();
  const env = await db
    .insertInto('environments')
    .values({ organization_id: org.id, name: `${slug} prod`, slug: 'prod', cloud_provider: 'aws' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const repo = await db
    .insertInto('iac_repositories')
    .values({ environment_id: env.id, name: `${slug}-infra`, tool: 'terraform', repository_url: `https://git.example/${slug}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const resource = await db
    .insertInto('iac_resources')
    .values({
      iac_repository_id: repo.id,
      resource_type: 'aws_s3_bucket',
      resource_id: 'aws_s3_bucket.logs',
      declared_state: { acl: 'private' },
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const drift = await db
    .insertInto('drift_events')
    .values({ environment_id: env.id, iac_resource_id: resource.id, drift_type: 'modified' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('drift_changes')
    .values({
      drift_event_id: drift.id,
      property_path: '/acl',
      change_type: 'modified',
      declared_value: '"private"',
      actual_value: '"public-read"',
    })
    .execute();
  const channel = await db
    .insertInto('notification_channels')
    .values({ organization_id: org.id, name: 'ops', channel_type: 'slack', configuration: {} })
    .returning('id')
    .executeTakeFirstOrThrow();
  const notification = await db
    .insertInto('notifications')
    .values({ drift_event_id: drift.id, channel_id: channel.id, notification_type: 'alert' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('notification_deliveries').values({ notification_id: notification.id, attempt: 1 }).execute();
  return { orgId: org.id, envId: env.id, repoId: repo.id, resourceId: resource.id, driftId: drift.id, channelId: channel.id };
}
