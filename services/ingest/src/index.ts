/** @driftguard/ingest: the edge where scans and declared state enter DriftGuard. */
export { createIngestService } from './service.js';
export { ingestConfigSchema, loadIngestConfig, type IngestConfig } from './config.js';
export { runAdapter, adapterFor } from './adapters/index.js';
export { syncRepository, type GitSyncContext, type SyncOutcome } from './declared/git-sync.js';
