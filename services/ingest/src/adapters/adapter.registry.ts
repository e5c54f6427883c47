import type { Adapter, AdapterOptions, AdapterOutput } from '../model/observation.js';
import type { ScanFormat } from '../model/scan-format.error.js';
import { parseScanBody, type ParseScanBodyOptions } from '../model/parse-scan-body.js';
import { cloudformationAdapter } from './cloudformation.adapter.js';
import { driftctlAdapter } from './driftctl.adapter.js';
import { kubernetesAdapter } from './kubernetes.adapter.js';
import { nativeAdapter } from './native.adapter.js';
import { terraformPlanAdapter } from './terraform-plan.adapter.js';
import { tfstateAdapter } from './tfstate.adapter.js';

const ADAPTERS: Record<ScanFormat, Adapter> = {
  native: nativeAdapter,
  'terraform-plan': terraformPlanAdapter,
  tfstate: tfstateAdapter,
  driftctl: driftctlAdapter,
  cloudformation: cloudformationAdapter,
  kubernetes: kubernetesAdapter,
};

export function adapterFor(format: ScanFormat): Adapter {
  const adapter = ADAPTERS[format];
  if (!adapter) throw new Error(`no adapter for scan format "${String(format)}"`);
  return adapter;
}

/** Parses an untrusted body and adapts it. Throws ScanFormatError for input that is not the format. */
export function runAdapter(
  format: ScanFormat,
  bytes: Buffer | string,
  opts: AdapterOptions = {},
  parse: ParseScanBodyOptions = {},
): AdapterOutput {
  return adapterFor(format)(parseScanBody(format, bytes, parse), opts);
}
