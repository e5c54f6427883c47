import { sql, type Kysely } from 'kysely';

/**
 * `integrations.source` admits `slack`: the signing secret Slack signs interactive button presses
 * with (`X-Slack-Signature` v0), kept encrypted like the GitHub and PagerDuty secrets.
 */
const up_ = [
  `ALTER TABLE integrations DROP CONSTRAINT integrations_source_check`,
  `ALTER TABLE integrations ADD CONSTRAINT integrations_source_check CHECK (source IN ('github', 'pagerduty', 'slack'))`,
];

const down_ = [
  `DELETE FROM integrations WHERE source = 'slack'`,
  `ALTER TABLE integrations DROP CONSTRAINT integrations_source_check`,
  `ALTER TABLE integrations ADD CONSTRAINT integrations_source_check CHECK (source IN ('github', 'pagerduty'))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
