import { describe, expect, it } from 'vitest';
import { compileIgnoreRules } from './ignore.rules.js';

const bucket = { type: 'aws_s3_bucket', address: 'module.data.aws_s3_bucket.logs', physicalId: 'acme-logs', name: 'logs' };
const role = { type: 'aws_iam_role', address: 'aws_iam_role.ci', physicalId: 'ci' };

describe('compileIgnoreRules: json_pointer rules', () => {
  it('a rule without a property path ignores whole resources matching type and address globs', () => {
    const m = compileIgnoreRules([{ id: 7, resourceType: 'aws_s3_*', addressPattern: 'module.data.*', syntax: 'json_pointer' }]);
    expect(m.ignoresResource(bucket)).toBe(true);
    expect(m.ignoresResource(role)).toBe(false);
    expect(m.ignoresResource({ ...bucket, address: 'aws_s3_bucket.other', physicalId: 'other', name: 'other' })).toBe(false);
    expect(m.suppressedCounts()).toEqual(new Map([[7, 1]]));
  });

  it('a property path ignores that pointer and everything below it, with * segments', () => {
    const m = compileIgnoreRules([
      { id: 1, resourceType: 'aws_s3_bucket', propertyPath: '/tags', syntax: 'json_pointer' },
      { id: 2, propertyPath: '/lifecycle_rule/*/expiration', syntax: 'json_pointer' },
    ]);
    expect(m.ignoresResource(bucket)).toBe(false);
    expect(m.ignoresPath(bucket, '/tags/Owner')).toBe(true);
    expect(m.ignoresPath(bucket, '/tags')).toBe(true);
    expect(m.ignoresPath(bucket, '/tagsX')).toBe(false);
    expect(m.ignoresPath(role, '/tags/Owner')).toBe(false);
    expect(m.ignoresPath(role, '/lifecycle_rule/3/expiration/days')).toBe(true);
    expect(m.ignoresPath(role, '/lifecycle_rule/3/transition')).toBe(false);
    expect(m.suppressedCounts()).toEqual(
      new Map([
        [1, 2],
        [2, 1],
      ]),
    );
  });
});

describe('compileIgnoreRules: driftignore rules', () => {
  it('builds driftignore lines from stored columns, matched on type and physical id', () => {
    const m = compileIgnoreRules([
      { id: 'a', resourceType: 'aws_s3_bucket', addressPattern: 'acme-*', syntax: 'driftignore' },
      { id: 'b', resourceType: 'aws_iam_role', addressPattern: 'ci', propertyPath: '/assume_role_policy', syntax: 'driftignore' },
    ]);
    expect(m.ignoresResource(bucket)).toBe(true);
    expect(m.ignoresResource(role)).toBe(false);
    expect(m.ignoresPath(role, '/assume_role_policy')).toBe(true);
    expect(m.ignoresPath(role, '/assume_role_policy/Statement')).toBe(true);
    expect(m.ignoresPath(role, '/name')).toBe(false);
  });

  it('negation re-includes, last match wins, across stored rules and file lines', () => {
    const m = compileIgnoreRules([{ id: 1, resourceType: 'aws_iam_role', syntax: 'driftignore' }], '!aws_iam_role.ci\n');
    expect(m.ignoresResource(role)).toBe(false);
    expect(m.ignoresResource({ ...role, physicalId: 'deploy' })).toBe(true);
    expect(m.suppressedCounts()).toEqual(new Map([[1, 1]]));
  });

  it('a prefix id does not swallow ids with dots (aws_s3_bucket.my vs my.bucket.example)', () => {
    const m = compileIgnoreRules([], 'aws_s3_bucket.my\n');
    expect(m.ignoresResource({ type: 'aws_s3_bucket', physicalId: 'my' })).toBe(true);
    expect(m.ignoresResource({ type: 'aws_s3_bucket', physicalId: 'my.bucket.example' })).toBe(false);
  });

  it('comments and blank lines are not rules', () => {
    const m = compileIgnoreRules([], '# aws_s3_bucket.acme-logs\n\n   \n');
    expect(m.ignoresResource(bucket)).toBe(false);
  });
});
