/**
 * @driftguard/db: DriftGuard's PostgreSQL schema as Kysely types, its migrations, client
 * factories for node-pg and embedded PGlite, the table-ownership map, tenant scoping
 * (query helpers and row-level security), audit and secret helpers.
 *
 * Test databases: `createTestDatabase` from `@driftguard/db/testing`.
 */
export * from './schema/index.js';
export { createDb, type CreateDbOptions } from './client.js';
export {
  createPgliteDb,
  openEmbeddedPostgres,
  embeddedDatabaseUrl,
  EMBEDDED_SOCKET_NAME,
  type EmbeddedPostgres,
  type PgliteServer,
  type PgliteServerOptions,
} from './pglite.js';
export { migrate, migratePglite, type MigrateDirection, type MigrateResult, type MigrationStatus } from './migrate.js';
export { migrations, migrationProvider } from './migrations/index.js';
export { ensureDatabase, dropDatabase, databaseNameOf, withDatabase } from './server.js';
export { TABLE_OWNERS, COLUMN_OWNERS, assertWritable, type ServiceName } from './ownership.js';
export { writeAudit, writeAudits, ensureAuditPartitions, type AuditEntry } from './audit.js';
export { fetchDriftChangeValue, listDriftChanges, type DriftChangeRef, type StoredDriftChange } from './claim-check.queries.js';
export { forOrg, withOrgScope, TENANT_ROLE, type OrgScope, type TenantTable } from './tenancy.js';
export { runAsOrg, enterOrg, currentOrg } from './tenant-context.js';
export { SERVICE_ROLES, applyServiceGrants, serviceGrantsSql } from './service-roles.js';
export {
  sealChannelConfiguration,
  openChannelConfiguration,
  redactedChannelConfiguration,
  SEALED_FIELDS_KEY,
} from './channel-configuration.js';
export { Keyring, parseKeyring, encryptSecret, decryptSecret, decryptSecretBytes, secretKeyId, deriveKey } from './secrets.js';
export {
  OwnershipError,
  MigrationError,
  SecretError,
  type OwnershipErrorCode,
  type MigrationErrorCode,
  type SecretErrorCode,
} from './errors.js';
