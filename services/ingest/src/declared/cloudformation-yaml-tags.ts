import type { CollectionTag, ScalarTag } from 'yaml';

/**
 * CloudFormation's YAML short forms (`!Ref X`, `!GetAtt A.B`, `!Sub [...]`, …) as yaml custom
 * tags, each resolved to its long JSON form so YAML and JSON templates read the same:
 * `!Ref X` → `{ "Ref": "X" }`, `!If [c, a, b]` → `{ "Fn::If": [c, a, b] }`.
 */
const FUNCTION_TAGS: Record<string, string> = {
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!FindInMap': 'Fn::FindInMap',
  '!GetAtt': 'Fn::GetAtt',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!Sub': 'Fn::Sub',
  '!Transform': 'Fn::Transform',
  '!And': 'Fn::And',
  '!Equals': 'Fn::Equals',
  '!If': 'Fn::If',
  '!Not': 'Fn::Not',
  '!Or': 'Fn::Or',
  '!Length': 'Fn::Length',
  '!ToJsonString': 'Fn::ToJsonString',
  '!Contains': 'Fn::Contains',
  '!EachMemberEquals': 'Fn::EachMemberEquals',
  '!EachMemberIn': 'Fn::EachMemberIn',
  '!RefAll': 'Fn::RefAll',
  '!ValueOf': 'Fn::ValueOf',
  '!ValueOfAll': 'Fn::ValueOfAll',
  '!Ref': 'Ref',
  '!Condition': 'Condition',
};

/** `!GetAtt Resource.Attribute.Part` → `["Resource", "Attribute.Part"]` (the first dot splits). */
function getAttScalar(value: string): unknown {
  const dot = value.indexOf('.');
  return dot === -1 ? value : [value.slice(0, dot), value.slice(dot + 1)];
}

function tagsFor(tag: string, key: string): (ScalarTag | CollectionTag)[] {
  return [
    { tag, resolve: (value: string) => ({ [key]: tag === '!GetAtt' ? getAttScalar(value) : value }) },
    { tag, collection: 'seq', resolve: (seq) => ({ [key]: seq.toJSON() as unknown }) },
    { tag, collection: 'map', resolve: (map) => ({ [key]: map.toJSON() as unknown }) },
  ];
}

export const cloudFormationTags: (ScalarTag | CollectionTag)[] = Object.entries(FUNCTION_TAGS).flatMap(([tag, key]) =>
  tagsFor(tag, key),
);
