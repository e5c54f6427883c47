import { type Kysely, sql } from 'kysely';

/**
 * Messaging tables used by @driftguard/bus: the transactional outbox, the processed-message
 * ledger of idempotent consumers, and dead letters.
 *
 * Frozen: this file must not import application code. One statement per query so it also runs
 * on drivers that use the extended protocol (PGlite).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // id is the envelope id and the Nats-Msg-Id of the published message.
  await sql`
    CREATE TABLE outbox (
      id uuid PRIMARY KEY,
      subject text NOT NULL,
      event_type varchar(100) NOT NULL,
      payload jsonb NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz NULL,
      attempts integer NOT NULL DEFAULT 0,
      last_error text NULL,
      claimed_until timestamptz NULL
    )`.execute(db);
  // The relay only ever scans unpublished rows; keep that index small.
  await sql`CREATE INDEX outbox_unpublished_idx ON outbox (created_at) WHERE published_at IS NULL`.execute(db);
  // Lets retention delete published rows without scanning the table.
  await sql`CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL`.execute(db);

  // A wake-up hint for relays (LISTEN outbox); relays poll as well, so a lost notification only
  // delays publication. Statement-level: one notification per inserting statement.
  await sql`
    CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('outbox', '');
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`.execute(db);

  // consumer is the durable consumer name (service + event key); message_id the envelope id.
  await sql`
    CREATE TABLE processed_messages (
      consumer varchar(200) NOT NULL,
      message_id uuid NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, message_id)
    )`.execute(db);
  await sql`CREATE INDEX processed_messages_processed_at_idx ON processed_messages (processed_at)`.execute(db);

  // payload is the raw message body as text: it may be invalid JSON (that is why it is here).
  await sql`
    CREATE TABLE dead_letters (
      id bigserial PRIMARY KEY,
      service varchar(50) NOT NULL,
      consumer varchar(200) NOT NULL,
      subject text NOT NULL,
      message_id varchar(100) NULL,
      payload text NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      error text NOT NULL,
      error_code varchar(50) NOT NULL,
      delivery_count integer NOT NULL,
      stream_seq bigint NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      replayed_at timestamptz NULL,
      replay_count integer NOT NULL DEFAULT 0
    )`.execute(db);
  await sql`CREATE INDEX dead_letters_service_id_idx ON dead_letters (service, id DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS dead_letters`.execute(db);
  await sql`DROP TABLE IF EXISTS processed_messages`.execute(db);
  await sql`DROP TRIGGER IF EXISTS outbox_notify ON outbox`.execute(db);
  await sql`DROP FUNCTION IF EXISTS outbox_notify()`.execute(db);
  await sql`DROP TABLE IF EXISTS outbox`.execute(db);
}
