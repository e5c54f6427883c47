/** The pure core of ingest: scan formats → observations. No database, no network. */
export { adapterFor, runAdapter } from './adapter.registry.js';
export { cloudformationAdapter } from './cloudformation.adapter.js';
export { driftctlAdapter } from './driftctl.adapter.js';
export { kubernetesAdapter } from './kubernetes.adapter.js';
export { nativeAdapter } from './native.adapter.js';
export { terraformPlanAdapter } from './terraform-plan.adapter.js';
export { tfstateAdapter, driftctlCoverage } from './tfstate.adapter.js';
export { readDeclaredState, type StateResource } from './tfstate.reader.js';
export { nativeChangeSchema, nativeObservationSchema, nativeResourceRefSchema, nativeScanSchema } from '@driftguard/contracts';
export * from '../model/observation.js';
export { parseScanBody, MAX_SCAN_DEPTH, type ParseScanBodyOptions } from '../model/parse-scan-body.js';
export { diffResource, finalizeChange, equivalent, type DiffContext } from '../diff/diff.engine.js';
