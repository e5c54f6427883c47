import type { Migration, MigrationProvider } from 'kysely';
import * as seedSchema from './0001-seed-schema.js';
import * as platformTables from './0002-platform-tables.js';
import * as messaging from './0003-messaging.js';
import * as rowLevelSecurity from './0004-row-level-security.js';
import * as scanProcessing from './0005-scan-processing.js';
import * as serviceRoles from './0006-service-roles.js';
import * as observationTime from './0007-observation-time.js';
import * as integrations from './0010-integrations.js';
import * as analysisVersions from './0011-analysis-versions.js';
import * as recommendationLifecycle from './0012-recommendation-lifecycle.js';
import * as notificationDelivery from './0013-notification-delivery.js';
import * as identity from './0014-identity.js';
import * as dataLifecycle from './0015-data-lifecycle.js';
import * as slackIntegrations from './0020-slack-integrations.js';
import * as signalMatchIndex from './0021-signal-match-index.js';
import * as iacSourceFiles from './0022-iac-source-files.js';
import * as configChangesDriftSorting from './0023-config-changes-drift-sorting.js';
import * as ignoreRuleScanCounts from './0024-ignore-rule-scan-counts.js';
import * as jobLeases from './0025-job-leases.js';
import * as signalMatchFunction from './0026-signal-match-function.js';
import * as signalMatchBounded from './0027-signal-match-bounded.js';

/**
 * Every migration, listed explicitly (no directory globbing, so bundles and PGlite see the same
 * list). Keys are the names recorded in `kysely_migration`; they sort in the order they run.
 * Migrations are frozen: `Kysely<unknown>`, no imports of application code.
 *
 * To add one: create `NNNN-what.ts` exporting `up` (and `down`), import it above and list it
 * below. A migration creating a tenant table also adds its row-level-security policy.
 */
export const migrations: Record<string, Migration> = {
  '0001-seed-schema': seedSchema,
  '0002-platform-tables': platformTables,
  '0003-messaging': messaging,
  '0004-row-level-security': rowLevelSecurity,
  '0005-scan-processing': scanProcessing,
  '0006-service-roles': serviceRoles,
  '0007-observation-time': observationTime,
  '0010-integrations': integrations,
  '0011-analysis-versions': analysisVersions,
  '0012-recommendation-lifecycle': recommendationLifecycle,
  '0013-notification-delivery': notificationDelivery,
  '0014-identity': identity,
  '0015-data-lifecycle': dataLifecycle,
  '0020-slack-integrations': slackIntegrations,
  '0021-signal-match-index': signalMatchIndex,
  '0022-iac-source-files': iacSourceFiles,
  '0023-config-changes-drift-sorting': configChangesDriftSorting,
  '0024-ignore-rule-scan-counts': ignoreRuleScanCounts,
  '0025-job-leases': jobLeases,
  '0026-signal-match-function': signalMatchFunction,
  '0027-signal-match-bounded': signalMatchBounded,
};

/** A Kysely `MigrationProvider` over {@link migrations}. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
