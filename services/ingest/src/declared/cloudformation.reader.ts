import type { JsonValue } from '@driftguard/contracts';
import { escapePointerSegment } from '../model/json-pointer.js';
import { cloudFormationTags } from './cloudformation-yaml-tags.js';
import { DeclaredFormatError } from './declared-format.error.js';
import { identityProblem, type DeclaredReadResult, type DeclaredResource, type RejectedItem } from './declared-resource.js';
import { isRecord } from './declared-text.js';
import { readDocuments } from './declared-yaml.js';

/** `AWS::S3::Bucket`, `Custom::Thing`, `AWS::Serverless::Function`, registry types `Org::Svc::Type::MODULE`. */
const RESOURCE_TYPE = /^[A-Za-z0-9]+(::[A-Za-z0-9_-]+){1,3}$/;
const LOGICAL_ID = /^[A-Za-z0-9]+$/;

/**
 * Reads a CloudFormation template (JSON, or YAML with short-form intrinsics). Each entry of
 * `Resources` becomes a resource: id = logical id, type = `Type`, declared state =
 * `{ Type, Properties, DependsOn?, Condition? }` (Properties `{}` when absent). Entries that are
 * not resources CloudFormation would accept are returned in `rejected`, as are `Fn::ForEach`
 * loops (DriftGuard does not expand them). Malformed text or a template without a `Resources`
 * object throws a DeclaredFormatError.
 */
export function readCloudFormationTemplate(text: string): DeclaredReadResult {
  return readTemplateObject(parseTemplate(text));
}

/** {@link readCloudFormationTemplate} for a template already parsed. */
export function readTemplateObject(template: unknown): DeclaredReadResult {
  if (!isRecord(template)) {
    throw new DeclaredFormatError('invalid_structure', 'cloudformation', '', 'a CloudFormation template must be an object');
  }
  const resourcesBlock = template.Resources;
  if (!isRecord(resourcesBlock)) {
    throw new DeclaredFormatError(
      resourcesBlock === undefined ? 'wrong_format' : 'invalid_structure',
      'cloudformation',
      '/Resources',
      resourcesBlock === undefined
        ? 'not a CloudFormation template: it has no Resources section'
        : 'Resources must be an object of logical id → resource',
    );
  }

  const resources: DeclaredResource[] = [];
  const rejected: RejectedItem[] = [];
  for (const [logicalId, body] of Object.entries(resourcesBlock)) {
    const path = `/Resources/${escapePointerSegment(logicalId)}`;
    const problem = resourceProblem(logicalId, body);
    if (problem !== null) {
      rejected.push({ path, reason: problem });
      continue;
    }
    const resource = body as Record<string, unknown>;
    const resourceType = resource.Type as string;
    const tooLong = identityProblem(resourceType, logicalId);
    if (tooLong !== null) {
      rejected.push({ path, reason: tooLong });
      continue;
    }
    const declaredState: Record<string, unknown> = { Type: resourceType, Properties: resource.Properties ?? {} };
    if (resource.DependsOn !== undefined) declaredState.DependsOn = resource.DependsOn;
    if (resource.Condition !== undefined) declaredState.Condition = resource.Condition;
    resources.push({ resourceType, resourceId: logicalId, declaredState: declaredState as JsonValue });
  }
  return { resources, rejected };
}

/** True when a parsed document looks like a CloudFormation template (used to pick files in a repository). */
export function isCloudFormationTemplate(value: unknown): boolean {
  if (!isRecord(value)) return false;
  if (value.AWSTemplateFormatVersion !== undefined) return true;
  if (!isRecord(value.Resources)) return false;
  return Object.values(value.Resources).some(
    (r) => isRecord(r) && typeof r.Type === 'string' && /^(AWS|Custom|Alexa)::/.test(r.Type),
  );
}

/** Parses template text (JSON or YAML with short-form intrinsics); one document. */
export function parseTemplate(text: string): unknown {
  const docs = readDocuments(text, 'cloudformation', { customTags: cloudFormationTags }).filter(
    (d) => d.value !== null && d.value !== undefined,
  );
  if (docs.length > 1) {
    throw new DeclaredFormatError(
      'invalid_structure',
      'cloudformation',
      docs[1]!.path,
      `a template is one YAML document; this text has ${docs.length}`,
    );
  }
  const doc = docs[0];
  if (doc === undefined) throw new DeclaredFormatError('invalid_structure', 'cloudformation', '', 'the template is empty');
  return doc.value;
}

function resourceProblem(logicalId: string, body: unknown): string | null {
  if (logicalId.startsWith('Fn::ForEach::'))
    return 'Fn::ForEach loops are not expanded; declare the resources or upload the processed template';
  if (!LOGICAL_ID.test(logicalId)) return `logical id "${logicalId}" must be alphanumeric`;
  if (!isRecord(body)) return 'a resource must be an object with a Type';
  if (typeof body.Type !== 'string') return 'Type is missing or not a string';
  if (!RESOURCE_TYPE.test(body.Type)) return `Type "${body.Type}" is not a resource type like AWS::Service::Resource`;
  if (body.Properties !== undefined && !isRecord(body.Properties)) return 'Properties must be an object';
  return null;
}
