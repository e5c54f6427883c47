/**
 * Scans in every format with a canary secret in every sensitive position. Every canary carries
 * TAG, so finding TAG (or a canary's base64) anywhere stored, published or logged is a leak.
 */
import { randomInt } from 'node:crypto';
import { cfnDrifts } from './builders.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 8 characters of [A-Z2-7]: fits inside AWS key ids and every token shape below. */
export const TAG = `QZ${Array.from({ length: 6 }, () => BASE32[randomInt(32)]).join('')}`;

/** Encoded forms of canaries (Kubernetes Secret `data`), searched for besides TAG. */
export const ENCODED: string[] = [];

const plain = (label: string) => `${TAG}-${label}`;
const b64 = (label: string) => {
  const v = Buffer.from(plain(label)).toString('base64');
  ENCODED.push(v);
  return v;
};

/** Values shaped like secrets, each holding TAG; `v` varies them between declared and actual. */
export function shaped(v: 'a' | 'b' | 'c' | 'd') {
  return {
    github: `ghp_${TAG}${v.repeat(28)}`,
    aws: `AKIA${TAG}${v.toUpperCase().repeat(8)}`,
    slack: `xoxb-1234567890-1234567890-${TAG}${v}`,
    webhook: `https://hooks.slack.com/services/T01234567/B01234567/${TAG}${v.repeat(18)}`,
    stripe: `sk_live_${TAG}${v.repeat(10)}`,
    jwt: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOi${TAG}${v.repeat(10)}.${TAG}sig${v.repeat(7)}`,
    key: `-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn${TAG}${v}\n-----END OPENSSH PRIVATE KEY-----\n`,
  };
}

function nest(levels: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let out = leaf;
  for (let i = 0; i < levels; i++) out = { level: out };
  return out;
}

/**
 * A resource body with secrets under secret names, in a Lambda environment, more than 64 levels
 * deep, and shaped like tokens under innocent keys; `instance_type` is the ordinary drift.
 * `opaque` has an innocent name: it is included only where the format declares it sensitive.
 */
export function carriers(side: 'a' | 'b' | 'c' | 'd', label: string, instanceType: string, declaredSensitive = true) {
  const s = shaped(side);
  return {
    instance_type: instanceType,
    db_password: plain(`${label}-${side}-db_password`),
    admin_password: plain(`${label}-${side}-admin_password`),
    secretKey: plain(`${label}-${side}-secretKey`),
    'api-key': plain(`${label}-${side}-api-key`),
    environment: [{ variables: { DB_PASSWORD: plain(`${label}-${side}-lambda`) } }],
    description: s.github,
    notes: [s.aws, s.slack, s.webhook, s.stripe, s.jwt],
    user_data: s.key,
    deep: nest(80, { master_password: plain(`${label}-${side}-deep`) }),
    ...(declaredSensitive ? { opaque: plain(`${label}-${side}-opaque`) } : {}),
  };
}

const MARKED = { opaque: true };

export function terraformPlan(): string {
  const change = (actions: string[], before: unknown, after: unknown) => ({
    actions,
    before,
    after,
    after_unknown: {},
    before_sensitive: MARKED,
    after_sensitive: after === null ? false : MARKED,
  });
  return JSON.stringify({
    format_version: '1.2',
    terraform_version: '1.9.0',
    resource_drift: [
      {
        address: 'aws_lambda_function.plan_mod',
        mode: 'managed',
        type: 'aws_lambda_function',
        name: 'plan_mod',
        provider_name: 'registry.terraform.io/hashicorp/aws',
        change: change(['update'], carriers('a', 'plan-mod', 't3.micro'), carriers('b', 'plan-mod', 't3.large')),
      },
      {
        address: 'aws_db_instance.plan_del',
        mode: 'managed',
        type: 'aws_db_instance',
        name: 'plan_del',
        provider_name: 'registry.terraform.io/hashicorp/aws',
        change: change(['delete'], carriers('c', 'plan-del', 't3.micro'), null),
      },
      {
        address: 'aws_instance.plan_new',
        previous_address: 'aws_instance.plan_old',
        mode: 'managed',
        type: 'aws_instance',
        name: 'plan_new',
        provider_name: 'registry.terraform.io/hashicorp/aws',
        change: change(['update'], carriers('c', 'plan-mv', 't3.micro'), carriers('d', 'plan-mv', 't3.large')),
      },
    ],
    resource_changes: [],
  });
}

export function tfstate(): string {
  const instance = (type: string, name: string, attributes: Record<string, unknown>) => ({
    mode: 'managed',
    type,
    name,
    provider: 'provider["registry.terraform.io/hashicorp/aws"]',
    instances: [{ schema_version: 1, attributes, sensitive_attributes: [[{ type: 'get_attr', value: 'opaque' }]] }],
  });
  const modDeclared = { id: 'db-state-mod', ...carriers('a', 'state-mod', 't3.micro') };
  const delDeclared = { id: 'db-state-del', ...carriers('b', 'state-del', 't3.micro') };
  return JSON.stringify({
    state: {
      version: 4,
      terraform_version: '1.9.0',
      serial: 1,
      lineage: 'canary',
      outputs: {},
      resources: [instance('aws_db_instance', 'state_mod', modDeclared), instance('aws_db_instance', 'state_del', delDeclared)],
    },
    inventory: {
      resources: [
        {
          type: 'aws_db_instance',
          id: 'db-state-mod',
          attributes: { id: 'db-state-mod', ...carriers('c', 'state-mod', 't3.large') },
        },
        {
          type: 'aws_db_instance',
          id: 'db-state-add',
          attributes: { id: 'db-state-add', ...carriers('d', 'state-add', 't3.large', false) },
        },
      ],
    },
  });
}

export function driftctl(): string {
  const res = (id: string) => ({
    id,
    type: 'aws_iam_user',
    source: { source: 'tfstate://canary.tfstate', namespace: 'root', internal_name: id },
  });
  const a = shaped('a');
  const b = shaped('b');
  return JSON.stringify({
    summary: { total_resources: 3, total_changed: 1, total_unmanaged: 1, total_missing: 1, total_managed: 1 },
    managed: [res('dc-mod')],
    unmanaged: [{ id: 'dc-add', type: 'aws_iam_user' }],
    missing: [res('dc-del')],
    differences: [
      {
        res: res('dc-mod'),
        changelog: [
          { type: 'update', path: ['password'], from: plain('dc-password-a'), to: plain('dc-password-b') },
          { type: 'update', path: ['environment', 'variables', 'DB_PASSWORD'], from: plain('dc-env-a'), to: plain('dc-env-b') },
          { type: 'update', path: ['description'], from: a.github, to: b.github },
          { type: 'update', path: ['tags', 'owner'], from: 'team-a', to: 'team-b' },
        ],
      },
    ],
    alerts: { aws_iam_user: [{ message: `could not read user, token ${a.github} expired` }] },
    coverage: 33,
  });
}

export function cloudformation(): string {
  const props = (side: 'a' | 'b' | 'c', label: string) => ({
    ...carriers(side, label, side === 'a' ? 'db.t3.micro' : 'db.t3.large', false),
    MasterUserPassword: plain(`${label}-${side}-MasterUserPassword`),
    Parameters: [{ ParameterKey: 'DbPassword', ParameterValue: plain(`${label}-${side}-noecho`) }],
  });
  const diffs = (label: string) => {
    const d = props('a', label);
    const l = props('b', label);
    return Object.keys(d).map((k) => [`/${k}`, d[k as keyof typeof d], l[k as keyof typeof l]] as [string, unknown, unknown]);
  };
  return cfnDrifts([
    { id: 'CfnMod', type: 'AWS::RDS::DBInstance', diffs: diffs('cfn-mod') },
    { id: 'CfnDel', type: 'AWS::RDS::DBInstance', status: 'DELETED', diffs: diffs('cfn-del') },
  ]);
}

export function kubernetes(): string {
  const deployment = (value: string, image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'k8s-api', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: {
          containers: [
            {
              name: 'api',
              image,
              env: [
                { name: 'DB_PASSWORD', value },
                { name: 'LOG_LEVEL', value: 'info' },
              ],
            },
          ],
        },
      },
    },
  });
  const configMap = (side: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'k8s-cfg', namespace: 'shop' },
    data: {
      password: plain(`cm-${side}-password`),
      db_password: plain(`cm-${side}-db_password`),
      mode: side === 'a' ? 'blue' : 'green',
    },
  });
  const secret = (name: string, side: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'shop' },
    type: 'Opaque',
    stringData: { password: plain(`${name}-${side}-stringData`) },
    data: { token: b64(`${name}-${side}-data`) },
  });
  const live = (o: Record<string, unknown>, uid: string) => ({
    ...o,
    metadata: { ...(o.metadata as object), uid, resourceVersion: '1' },
  });
  return JSON.stringify({
    declared: [deployment(plain('k8s-env-a'), 'api:1'), configMap('a'), secret('k8s-gone', 'a'), secret('k8s-sec', 'a')],
    live: {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        live(deployment(plain('k8s-env-b'), 'api:2'), 'u1'),
        live(configMap('b'), 'u2'),
        live(secret('k8s-sec', 'b'), 'u3'),
      ],
    },
  });
}

export function native(): string {
  const ecs = (side: 'a' | 'b') => ({
    containerDefinitions: [
      {
        name: 'web',
        image: `web:${side}`,
        environment: [
          { name: 'DB_PASSWORD', value: plain(`ecs-${side}`) },
          { name: 'PORT', value: '80' },
        ],
      },
    ],
    containers: [{ name: 'side', env: [{ name: 'API_TOKEN', value: plain(`native-k8s-env-${side}`) }] }],
  });
  const body = (side: 'a' | 'b' | 'c' | 'd', label: string, it: string) => ({
    ...carriers(side, label, it),
    ...ecs(side === 'a' || side === 'c' ? 'a' : 'b'),
  });
  const ref = (name: string, type = 'aws_ecs_task_definition') => ({ type, address: `${type}.${name}`, name });
  return JSON.stringify({
    format: 'native',
    version: 1,
    scanner: { name: 'canary-scanner' },
    observations: [
      {
        kind: 'modified',
        resource: ref('native_mod'),
        declared: body('a', 'native-mod', 'small'),
        actual: body('b', 'native-mod', 'large'),
        sensitivePaths: ['/opaque'],
      },
      { kind: 'added', resource: ref('native_add'), actual: body('c', 'native-add', 'small'), sensitivePaths: ['/opaque'] },
      { kind: 'deleted', resource: ref('native_del'), declared: body('d', 'native-del', 'small'), sensitivePaths: ['/opaque'] },
      {
        kind: 'moved',
        resource: ref('native_new'),
        previousAddress: 'aws_ecs_task_definition.native_old',
        declared: body('a', 'native-mv', 'small'),
        actual: body('b', 'native-mv', 'large'),
        sensitivePaths: ['/opaque'],
      },
      {
        kind: 'not_checked',
        resource: ref('native_nc'),
        status: 'UNKNOWN',
        reason: `the token ${shaped('a').github} was refused`,
      },
    ],
  });
}

/** A native scan whose only drift is a secret changed from `from` to `to` (for the keyed hash). */
export function rotated(from: string, to: string): string {
  return JSON.stringify({
    format: 'native',
    version: 1,
    observations: [
      {
        kind: 'modified',
        resource: { type: 'aws_db_instance', address: 'aws_db_instance.rotated' },
        declared: { password: from, size: 1 },
        actual: { password: to, size: 1 },
      },
    ],
  });
}
