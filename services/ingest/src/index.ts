/** @driftguard/ingest: the edge where scans and declared state enter DriftGuard. */
export { createIngestService } from './service.js';
export { ingestConfigSchema, loadIngestConfig, type IngestConfig } from './config.js';
export { runAdapter, adapterFor } from './adapters/index.js';
