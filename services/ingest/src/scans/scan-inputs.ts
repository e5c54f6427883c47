import { sql, type Kysely } from 'kysely';
import type { Database } from '@driftguard/db';
import type { ScanFormat } from '@driftguard/contracts';
import { compileIgnoreRules } from '../rules/index.js';
import type { IgnoreMatcher, IgnoreRuleInput } from '../rules/index.js';

export interface ScanInputs {
  ignore: IgnoreMatcher;
  /** The active ignore rules as data, for a parse worker to compile on its side. */
  rules: IgnoreRuleInput[];
  /** Declared state kept from earlier uploads or git syncs, for formats whose scans may omit it. */
  declared?: unknown;
  /** IaC address → iac_resources.id in this environment, to link drifts to declared resources. */
  iacIds: Map<string, number>;
}

const TOOL_OF: Partial<Record<ScanFormat, 'terraform' | 'kubernetes' | 'cloudformation'>> = {
  'terraform-plan': 'terraform',
  tfstate: 'terraform',
  driftctl: 'terraform',
  cloudformation: 'cloudformation',
  kubernetes: 'kubernetes',
};

/** Everything besides the scan body that reading it needs: ignore rules and stored declared state. */
export async function loadScanInputs(
  db: Kysely<Database>,
  orgId: number,
  envId: number,
  format: ScanFormat,
): Promise<ScanInputs> {
  const rules = await db
    .selectFrom('ignore_rules')
    .select(['id', 'resource_type', 'address_pattern', 'property_path', 'syntax'])
    .where('organization_id', '=', orgId)
    .where((eb) => eb.or([eb('environment_id', 'is', null), eb('environment_id', '=', envId)]))
    .where('is_active', '=', true)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .execute();
  const ruleInputs: IgnoreRuleInput[] = rules.map((r) => ({
    id: r.id,
    resourceType: r.resource_type,
    addressPattern: r.address_pattern,
    propertyPath: r.property_path,
    syntax: r.syntax ?? 'json_pointer',
  }));
  const ignore = compileIgnoreRules(ruleInputs);
  const tool = TOOL_OF[format];
  const rows = tool
    ? await db
        .selectFrom('iac_resources')
        .innerJoin('iac_repositories', 'iac_repositories.id', 'iac_resources.iac_repository_id')
        .select(['iac_resources.id', 'iac_resources.resource_id', 'iac_resources.resource_type', 'iac_resources.declared_state'])
        .where('iac_repositories.environment_id', '=', envId)
        .where('iac_repositories.tool', '=', tool)
        .execute()
    : [];
  const iacIds = new Map(rows.map((r) => [r.resource_id, r.id]));
  const inputs: ScanInputs = { ignore, rules: ruleInputs, iacIds };
  if (rows.length > 0 && format === 'tfstate') inputs.declared = stateFromRows(rows);
  if (rows.length > 0 && format === 'kubernetes') inputs.declared = rows.map((r) => r.declared_state);
  return inputs;
}

/** Rebuilds a `terraform show -json` state document from stored declared resources. */
function stateFromRows(rows: { resource_id: string; resource_type: string; declared_state: unknown }[]) {
  return {
    format_version: '1.0',
    values: {
      root_module: {
        resources: rows.map((r) => ({
          address: r.resource_id,
          mode: 'managed',
          type: r.resource_type,
          name: nameOf(r.resource_id),
          provider_name: '',
          values: r.declared_state,
        })),
      },
    },
  };
}

function nameOf(address: string): string {
  const last = address.split('.').pop() ?? address;
  return last.replace(/\[.*\]$/, '');
}
