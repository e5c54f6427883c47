import type { JsonValue, RecommendationStep, RecommendationType } from '@driftguard/contracts';
import type { Operation } from 'fast-json-patch';
import { maskedContext } from './file-diff.js';
import { ignoreRuleStep } from './ignore-rule.js';
import { isObject } from './json-pointer.js';
import type { PlanInput } from './plan-input.js';
import { identifierOf, isMasked } from './secrets.js';
import { documentFileDiff } from './source-diff.js';

/** The property CloudFormation identifies an imported resource by, for common types. */
const IMPORT_IDENTIFIERS: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::EC2::Instance': 'InstanceId',
  'AWS::EC2::SecurityGroup': 'Id',
  'AWS::EC2::VPC': 'VpcId',
  'AWS::EC2::Subnet': 'SubnetId',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::SQS::Queue': 'QueueUrl',
  'AWS::SNS::Topic': 'TopicArn',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ECS::Cluster': 'ClusterName',
  'AWS::KMS::Key': 'KeyId',
};

interface Stack {
  name: string;
  logicalId: string;
}

/** The stack name from the stack id (`arn:aws:cloudformation:…:stack/<name>/<uuid>`), and the logical id. */
export function stackOf(input: PlanInput): Stack {
  const source = input.resource.source ?? '';
  const fromArn = /:stack\/([^/]+)\//.exec(source)?.[1];
  const logical = input.resource.name ?? input.resource.address?.split('/').at(-1) ?? 'Resource';
  return { name: fromArn ?? (source || '<stack-name>'), logicalId: logical };
}

/** Masked values become a dynamic reference to Secrets Manager: the template never holds the secret. */
function withSecretRefs(value: JsonValue, path: string, secretPaths: ReadonlySet<string>, owner: string): JsonValue {
  if (isMasked(value) || (secretPaths.has(path) && !isObject(value) && !Array.isArray(value)))
    return `{{resolve:secretsmanager:${identifierOf(owner, path).replace(/_/g, '-')}}}`;
  if (Array.isArray(value)) return value.map((v, i) => withSecretRefs(v, `${path}/${i}`, secretPaths, owner));
  if (isObject(value)) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) out[k] = withSecretRefs(v, `${path}/${k}`, secretPaths, owner);
    return out;
  }
  return value;
}

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * RFC 6902 operations on the template setting the resource's drifted properties to their live
 * values (paths are relative to its `Properties`). Values too large for the event are listed
 * in `withheld` rather than inlined.
 */
export function templatePropertyPatch(input: PlanInput, s: Stack): { ops: Operation[]; withheld: string[] } {
  const base = `/Resources/${escape(s.logicalId)}/Properties`;
  const secretPaths = new Set(input.changes.filter((c) => c.sensitive).map((c) => c.path));
  const ops: Operation[] = [];
  const withheld: string[] = [];
  for (const c of input.changes) {
    if (c.unresolved?.includes('actual')) {
      withheld.push(c.path);
      continue;
    }
    const path = `${base}${c.path}`;
    if (c.changeType === 'removed') ops.push({ op: 'remove', path });
    else {
      const value = withSecretRefs(c.actual ?? null, c.path, secretPaths, s.logicalId);
      ops.push({ op: c.changeType === 'added' ? 'add' : 'replace', path, value });
    }
  }
  return { ops, withheld };
}

function importSteps(input: PlanInput, s: Stack): RecommendationStep[] {
  const type = input.resource.type;
  const logicalId = identifierOf(input.resource.name ?? input.resource.physicalId ?? 'Imported')
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  const idProperty = IMPORT_IDENTIFIERS[type] ?? 'Id';
  const toImport = [
    { ResourceType: type, LogicalResourceId: logicalId, ResourceIdentifier: { [idProperty]: input.resource.physicalId ?? '' } },
  ];
  const properties = isObject(input.live) ? withSecretRefs(input.live, '', new Set(), logicalId) : {};
  const addResource: Operation[] = [
    {
      op: 'add',
      path: `/Resources/${escape(logicalId)}`,
      value: { Type: type, DeletionPolicy: 'Retain', Properties: properties },
    },
  ];
  const changeSet = `import-${logicalId.toLowerCase()}`.slice(0, 128);
  return [
    {
      title: 'Declare the resource in the template',
      text: `Add ${logicalId} to the template of stack ${s.name} (DeletionPolicy Retain is required for an import).${IMPORT_IDENTIFIERS[type] ? '' : ` Check the identifier property with \`aws cloudformation get-template-summary\` (ResourceIdentifierSummaries); ${idProperty} is a guess.`}`,
      patch: { format: 'json_patch', content: `${JSON.stringify(addResource, null, 2)}\n` },
    },
    {
      title: 'Describe the import',
      text: 'The resources to import, for --resources-to-import.',
      patch: { format: 'json', file: 'resources-to-import.json', content: `${JSON.stringify(toImport, null, 2)}\n` },
    },
    {
      title: 'Create the import change set',
      text: 'Review it before executing.',
      command: `aws cloudformation create-change-set --stack-name ${s.name} --change-set-name ${changeSet} --change-set-type IMPORT --resources-to-import file://resources-to-import.json --template-body file://template.yaml`,
    },
    {
      title: 'Import',
      text: 'Execute the change set once it shows only the import.',
      command: `aws cloudformation execute-change-set --stack-name ${s.name} --change-set-name ${changeSet}`,
    },
  ];
}

/** The template declaring the logical id. */
const declaresLogicalId =
  (logicalId: string) =>
  (value: unknown): boolean =>
    isObject(value) && isObject(value['Resources']) && Object.hasOwn(value['Resources'], logicalId);

function codifySteps(input: PlanInput, s: Stack): RecommendationStep[] {
  const { ops, withheld } = templatePropertyPatch(input, s);
  const steps: RecommendationStep[] = [];
  const file = input.source?.path;
  const diff = documentFileDiff(input, declaresLogicalId(s.logicalId), ops);
  const jsonPatchStep: RecommendationStep = {
    title: 'Patch the template',
    text: `Apply these JSON Patch (RFC 6902) operations to the template of stack ${s.name}, so ${s.logicalId} declares what runs now. Secrets are referenced from Secrets Manager, never written.`,
    patch: { format: 'json_patch', ...(file ? { file } : {}), content: `${JSON.stringify(ops, null, 2)}\n` },
  };
  if (diff && 'patch' in diff) {
    steps.push({
      title: 'Patch the template',
      text: `Apply this diff to ${diff.patch.file ?? 'the template'} (synced at commit ${diff.commit.slice(0, 12)}) with \`git apply\`, so ${s.logicalId} declares what runs now. Secrets are referenced from Secrets Manager, never written.${maskedContext(diff.patch)}`,
      patch: diff.patch,
    });
    steps.push({ ...jsonPatchStep, title: 'Or apply the same change as JSON Patch' });
  } else if (ops.length > 0) {
    if (diff) steps.push({ title: 'Edit the file by hand', text: `${diff.why}; use the JSON Patch below.` });
    steps.push(jsonPatchStep);
  }
  if (withheld.length > 0)
    steps.push({
      title: 'Copy the large values by hand',
      text: `${withheld.join(', ')} are too large to inline: copy them from the drift's stored changes.`,
    });
  steps.push({
    title: 'Update the stack',
    text: 'Deploy the updated template; the change set must change nothing but metadata.',
    command: `aws cloudformation deploy --stack-name ${s.name} --template-file template.yaml`,
  });
  steps.push({
    title: 'Check',
    text: 'Drift detection must report the resource IN_SYNC.',
    command: `aws cloudformation detect-stack-resource-drift --stack-name ${s.name} --logical-resource-id ${s.logicalId}`,
  });
  return steps;
}

function revertSteps(s: Stack): RecommendationStep[] {
  const changeSet = `revert-drift-${s.logicalId.toLowerCase()}`.slice(0, 128);
  return [
    {
      title: 'Confirm the drift',
      text: `Ask CloudFormation for ${s.logicalId}'s drift.`,
      command: `aws cloudformation detect-stack-resource-drift --stack-name ${s.name} --logical-resource-id ${s.logicalId}`,
    },
    {
      title: 'Create a stack update that reverts the drift',
      text: 'A drift-aware change set with the current template puts back the declared properties.',
      command: `aws cloudformation create-change-set --stack-name ${s.name} --change-set-name ${changeSet} --use-previous-template --deployment-mode REVERT_DRIFT`,
    },
    {
      title: 'Review and execute the stack update',
      text: `It must touch only ${s.logicalId}.`,
      command: `aws cloudformation describe-change-set --stack-name ${s.name} --change-set-name ${changeSet} && aws cloudformation execute-change-set --stack-name ${s.name} --change-set-name ${changeSet}`,
    },
  ];
}

/** Ordered CloudFormation steps: stack updates, template property patches, resource imports. */
export function cloudformationSteps(type: RecommendationType, input: PlanInput): RecommendationStep[] {
  const s = stackOf(input);
  switch (type) {
    case 'auto_revert':
      return revertSteps(s);
    case 'codify_iac':
      if (input.driftType === 'added') return importSteps(input, s);
      if (input.driftType === 'deleted')
        return [
          {
            title: 'Remove the resource from the template',
            text: `${s.logicalId} no longer exists: remove it (and what references it) from stack ${s.name}'s template.`,
            patch: {
              format: 'json_patch',
              content: `${JSON.stringify([{ op: 'remove', path: `/Resources/${escape(s.logicalId)}` }], null, 2)}\n`,
            },
          },
        ];
      return codifySteps(input, s);
    case 'accept_exception':
      return [
        ignoreRuleStep(
          input.resource,
          input.changes.map((c) => c.path),
          'managed outside the template',
        ),
      ];
    case 'escalate_review':
    case 'manual_review':
      if (input.driftType === 'added')
        return importSteps(input, s).map((st, i) => (i === 0 ? { ...st, title: `If it stays: ${st.title.toLowerCase()}` } : st));
      return [
        ...revertSteps(s).slice(0, 1),
        ...(input.driftType === 'modified'
          ? codifySteps(input, s)
              .slice(0, 1)
              .map((st) => ({ ...st, title: `If the change stays: ${st.title.toLowerCase()}` }))
          : []),
      ];
    default: {
      const never: never = type;
      throw new Error(`unknown recommendation type ${String(never)}`);
    }
  }
}
