/** The ingest's message handlers, one per subject. */
export { cmdDriftResolveV1 } from './cmd.drift.resolve.v1.js';
export { cmdRepoSyncV1, type CmdRepoSyncDeps } from './cmd.repo.sync.v1.js';
export { scanSubmittedV1, type ScanSubmittedDeps } from './scan.submitted.v1.js';
