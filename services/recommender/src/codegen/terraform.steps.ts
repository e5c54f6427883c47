import type { JsonValue, RecommendationStep, RecommendationType, StepPatch } from '@driftguard/contracts';
import { addsMask, maskedContext, unifiedDiff } from './file-diff.js';
import { addressExpression, hclBlock, HclExpression, type HclValue } from './hcl.render.js';
import { ignoreRuleStep } from './ignore-rule.js';
import { editResourceBlock } from './terraform-file.patch.js';
import { isObject, parsePointer } from './json-pointer.js';
import { liveOf } from './live-state.js';
import type { PlanInput } from './plan-input.js';
import { identifierOf, isMasked } from './secrets.js';
import { parseTerraformAddress, type TerraformAddress } from './terraform-address.js';

/** Attributes Terraform computes: never written into a resource block. */
const COMPUTED = new Set(['id', 'arn', 'tags_all', 'owner_id', 'unique_id', 'timeouts', 'create_date', 'creation_date']);

interface Codified {
  body: { [key: string]: HclValue };
  /** arguments the live resource no longer has */
  removed: string[];
  variables: string[];
  notes: string[];
}

/** Masked leaves, and leaves at a sensitive change's path, become `var.<name>` (declared once, sensitive). */
function withSecretRefs(
  value: JsonValue,
  path: string,
  secretPaths: ReadonlySet<string>,
  owner: string,
  vars: Set<string>,
): HclValue {
  if (isMasked(value) || (secretPaths.has(path) && !isObject(value) && !Array.isArray(value))) {
    const name = identifierOf(owner, path);
    vars.add(name);
    return new HclExpression(`var.${name}`);
  }
  if (Array.isArray(value)) return value.map((v, i) => withSecretRefs(v, `${path}/${i}`, secretPaths, owner, vars));
  if (isObject(value)) {
    const out: { [key: string]: HclValue } = {};
    for (const [k, v] of Object.entries(value)) out[k] = withSecretRefs(v, `${path}/${k}`, secretPaths, owner, vars);
    return out;
  }
  return value;
}

function variableBlocks(names: readonly string[]): string {
  return names.map((n) => hclBlock('variable', [n], { type: new HclExpression('string'), sensitive: true })).join('\n');
}

/** The changed top-level attributes with their live values, secrets as variables. */
export function codifiedAttributes(input: PlanInput, owner: string): Codified {
  const notes: string[] = [];
  const vars = new Set<string>();
  const body: { [key: string]: HclValue } = {};
  const removed: string[] = [];
  const secretPaths = new Set(input.changes.filter((c) => c.sensitive).map((c) => c.path));
  const live = isObject(input.declared) ? liveOf(input.declared, input.changes) : null;
  if (live && live.skipped.length > 0) notes.push(`the declared configuration no longer has ${live.skipped.join(', ')}`);
  const attrs = [...new Set(input.changes.map((c) => parsePointer(c.path)[0]).filter((a): a is string => !!a))];
  for (const attr of attrs) {
    const changes = input.changes.filter((c) => parsePointer(c.path)[0] === attr);
    const tooLarge = changes.find((c) => c.unresolved?.includes('actual'));
    if (tooLarge) {
      notes.push(`${tooLarge.path} is too large to inline: copy its live value from the drift's stored change`);
      continue;
    }
    let value: JsonValue | undefined;
    if (live && isObject(live.live)) value = live.live[attr];
    else if (changes.length === 1 && changes[0]?.path === `/${attr}`) value = changes[0].actual;
    else {
      notes.push(`set ${changes.map((c) => c.path).join(', ')} by hand (the declared configuration was not found)`);
      continue;
    }
    if (value === undefined) {
      notes.push(`remove the ${attr} argument`);
      removed.push(attr);
    } else body[attr] = withSecretRefs(value, `/${attr}`, secretPaths, owner, vars);
  }
  return { body, removed, variables: [...vars], notes };
}

const target = (a: TerraformAddress) => `-target='${a.full}'`;

function blockOf(a: TerraformAddress, body: { [key: string]: HclValue } | string): string {
  return hclBlock('resource', [a.type, a.name], body);
}

function secretText(vars: readonly string[]): string {
  if (vars.length === 0) return '';
  return ` Secrets stay out of the code: set ${vars.map((v) => `TF_VAR_${v}`).join(', ')} from your secret store.`;
}

/** Where the block declaring the resource is, in words. */
function whereDeclared(input: PlanInput, a: TerraformAddress): string {
  const module = a.module ? ` (module ${a.module.slice(0, -1)})` : '';
  if (input.source) return `${input.source.path}${module}`;
  if (input.sourceCandidates) return `one of ${input.sourceCandidates.join(', ')}${module}`;
  return `the block declaring ${a.full}${module}`;
}

/**
 * The declaring file with the block's arguments edited, as a unified diff, when the repository is
 * synced and one file declares the block; the reason otherwise (null: nothing to say).
 */
function fileDiff(input: PlanInput, a: TerraformAddress, c: Codified): { patch: StepPatch } | { why: string } | null {
  const source = input.source;
  if (!source) return null;
  if (source.text === null) return { why: `${source.path} is too large to keep for a diff` };
  const variables = c.variables;
  const edited = editResourceBlock(source.text, a.type, a.name, { set: c.body, remove: c.removed, variables });
  if ('problem' in edited) return { why: `no diff of ${source.path}: ${edited.problem}` };
  const patch = unifiedDiff(source.path, source.text, edited.text);
  if (patch && addsMask(patch)) return { why: `no diff of ${source.path}: it would rewrite lines that hold a secret` };
  return patch ? { patch } : null;
}

function codifySteps(input: PlanInput, a: TerraformAddress): RecommendationStep[] {
  const c = codifiedAttributes(input, `${a.module}${a.name}`);
  const steps: RecommendationStep[] = [];
  const instance = a.index ? ` (instance ${a.index}: check the value suits every instance of the block)` : '';
  const where = whereDeclared(input, a);
  if (Object.keys(c.body).length > 0 || c.removed.length > 0) {
    const diff = fileDiff(input, a, c);
    if (diff && 'patch' in diff) {
      steps.push({
        title: 'Write the live values into the resource block',
        text: `Apply this diff to ${where} (synced at commit ${input.source!.commit.slice(0, 12)}) with \`git apply\`: resource "${a.type}" "${a.name}" then declares what runs now${instance}.${secretText(c.variables)}${maskedContext(diff.patch)}`,
        patch: diff.patch,
      });
    } else if (diff) steps.push({ title: 'Edit the file by hand', text: `${diff.why}; use the snippet below.` });
  }
  if (Object.keys(c.body).length > 0) {
    const content = [blockOf(a, c.body), variableBlocks(c.variables)].filter(Boolean).join('\n');
    const hasDiff = steps.some((s) => s.patch?.format === 'unified_diff');
    steps.push({
      title: hasDiff ? 'The same arguments as HCL' : 'Write the live values into the resource block',
      text: `In ${where}${instance}, set these arguments to what runs now.${secretText(c.variables)}`,
      patch: { format: 'hcl', ...(input.source ? { file: input.source.path } : {}), content },
    });
  }
  for (const note of c.notes) steps.push({ title: 'Adjust the block by hand', text: `In ${a.full}: ${note}.` });
  steps.push({
    title: 'Check that code and cloud agree',
    text: 'The plan must show no change for this resource.',
    command: `terraform plan ${target(a)}`,
  });
  return steps;
}

/** Attributes of an unmanaged resource worth writing: settable, non-empty. */
function importBody(live: JsonValue | null): { [key: string]: JsonValue } {
  if (!isObject(live)) return {};
  const out: { [key: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(live)) {
    if (COMPUTED.has(k) || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    if (isObject(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

function importSteps(input: PlanInput): RecommendationStep[] {
  const { resource } = input;
  const type = parseTerraformAddress(resource.address)?.type ?? resource.type;
  const name = parseTerraformAddress(resource.address)?.name ?? identifierOf(resource.name ?? resource.physicalId ?? 'imported');
  const a: TerraformAddress = { module: '', type, name, index: '', full: `${type}.${name}` };
  const id = resource.physicalId ?? resource.name ?? '';
  const vars = new Set<string>();
  const body = withSecretRefs(importBody(input.live), '', new Set(), name, vars);
  const resourceBlock = isObject(body) ? blockOf(a, body) : blockOf(a, '');
  const importBlock = hclBlock('import', [], { to: addressExpression(a.full), id });
  const content = [importBlock, resourceBlock, variableBlocks([...vars])].filter(Boolean).join('\n');
  return [
    {
      title: 'Declare and import the resource',
      text: `Add an import block for ${id} and a resource block with its live configuration (review it: computed attributes are left out).${secretText([...vars])} Terraform can also write the block itself: \`terraform plan -generate-config-out=generated.tf\` with only the import block.`,
      patch: { format: 'hcl', content },
    },
    {
      title: 'Check the import',
      text: 'The plan must show 1 to import and nothing to add, change or destroy.',
      command: `terraform plan ${target(a)}`,
    },
    { title: 'Import', text: 'Record the resource in the state.', command: `terraform apply ${target(a)}` },
  ];
}

function movedSteps(input: PlanInput, a: TerraformAddress): RecommendationStep[] {
  const from = input.previousAddress;
  if (!from) return [{ title: 'Find where it moved from', text: `${a.full} was reported moved without its previous address.` }];
  return [
    {
      title: 'Record the move',
      text: `Tell Terraform that ${from} is now ${a.full}, so it is not destroyed and created again.`,
      patch: { format: 'hcl', content: hclBlock('moved', [], { from: addressExpression(from), to: addressExpression(a.full) }) },
    },
    {
      title: 'Check the move',
      text: 'The plan must show the move and no replacement.',
      command: `terraform plan ${target(a)}`,
    },
  ];
}

function forgetSteps(a: TerraformAddress): RecommendationStep[] {
  const removed = hclBlock('removed', [], `  from = ${a.module}${a.type}.${a.name}\n  lifecycle {\n    destroy = false\n  }\n`);
  return [
    {
      title: 'Take the deleted resource out of the code',
      text: `Delete the block declaring ${a.full} and add a removed block, so Terraform forgets it instead of creating it again.`,
      patch: { format: 'hcl', content: removed },
    },
    {
      title: 'Check',
      text: 'The plan must show the resource forgotten, nothing created.',
      command: `terraform plan ${target(a)}`,
    },
  ];
}

/** `lifecycle { ignore_changes = [...] }` entries for changed paths: `desired_capacity`, `tags["Owner"]`. */
export function ignoreChangesEntries(paths: readonly string[]): string[] {
  const entries = paths.map((p) => {
    const [attr, key] = parsePointer(p);
    if (!attr) return null;
    if (key !== undefined && !/^[0-9]+$/.test(key) && parsePointer(p).length === 2) return `${attr}[${JSON.stringify(key)}]`;
    return attr;
  });
  return [...new Set(entries.filter((e): e is string => e !== null))];
}

function acceptSteps(input: PlanInput, a: TerraformAddress | null, paths: readonly string[]): RecommendationStep[] {
  const steps: RecommendationStep[] = [];
  if (a) {
    const entries = ignoreChangesEntries(paths);
    const content = blockOf(a, `  lifecycle {\n    ignore_changes = [${entries.join(', ')}]\n  }\n`);
    steps.push({
      title: 'Let Terraform ignore the managed values',
      text: `Merge this lifecycle block into the block declaring ${a.full}: whoever manages ${entries.join(', ')} keeps doing so.`,
      patch: { format: 'hcl', content },
    });
  }
  steps.push(ignoreRuleStep(input.resource, paths, 'managed outside the code'));
  return steps;
}

function inspectStep(a: TerraformAddress): RecommendationStep {
  return {
    title: 'See the drift as Terraform sees it',
    text: 'Compare the live resource with the state; nothing is written.',
    command: `terraform plan -refresh-only ${target(a)}`,
  };
}

function revertSteps(input: PlanInput, a: TerraformAddress): RecommendationStep[] {
  const what =
    input.driftType === 'deleted'
      ? 'recreates it as declared'
      : `puts back the declared ${input.changes.map((c) => c.path).join(', ') || 'configuration'}`;
  return [
    inspectStep(a),
    {
      title: 'Revert to the code',
      text: `Apply only this resource: Terraform ${what}.`,
      command: `terraform apply ${target(a)}`,
    },
  ];
}

/** Ordered Terraform steps for a recommendation, each with its command and HCL where it has one. */
export function terraformSteps(type: RecommendationType, input: PlanInput): RecommendationStep[] {
  const a = parseTerraformAddress(input.resource.address);
  const paths = input.changes.map((c) => c.path);
  switch (type) {
    case 'auto_revert':
      return a ? revertSteps(input, a) : [{ title: 'Revert by hand', text: 'The resource has no Terraform address to target.' }];
    case 'codify_iac':
      if (input.driftType === 'added') return importSteps(input);
      if (!a) return importSteps(input);
      if (input.driftType === 'moved') return movedSteps(input, a);
      if (input.driftType === 'deleted') return forgetSteps(a);
      return codifySteps(input, a);
    case 'accept_exception':
      return acceptSteps(input, a, paths);
    case 'escalate_review':
    case 'manual_review': {
      if (input.driftType === 'added')
        return importSteps(input).map((s, i) => (i === 0 ? { ...s, title: `If it stays: ${s.title.toLowerCase()}` } : s));
      if (!a) return [];
      const keep = input.driftType === 'modified' ? codifySteps(input, a).slice(0, -1) : [];
      return [
        inspectStep(a),
        ...keep.map((s) => ({ ...s, title: `If the change stays: ${s.title.toLowerCase()}` })),
        { title: 'If it goes: revert to the code', text: 'Apply only this resource.', command: `terraform apply ${target(a)}` },
      ];
    }
    default: {
      const never: never = type;
      throw new Error(`unknown recommendation type ${String(never)}`);
    }
  }
}
