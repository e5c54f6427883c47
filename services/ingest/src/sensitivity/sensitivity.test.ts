import { describe, expect, it } from 'vitest';
import type { Json, Observation } from '../model/observation.js';
import {
  createValueHasher,
  guardObservation,
  guardText,
  isSecretName,
  isSecretShaped,
  maskSecrets,
  MAX_MASK_DEPTH,
  SecretMaskDepthError,
  SENSITIVE_MARKER,
} from './index.js';
import { SENSITIVE_MASK } from '../declared/declared-resource.js';

const S = SENSITIVE_MARKER;

describe('secret names', () => {
  it.each([
    'password',
    'DB_PASSWORD',
    'admin_password',
    'masterUserPassword',
    'MasterUserPassword',
    'passwd',
    'passphrase',
    'secret',
    'secretKey',
    'client_secret',
    'SecretString',
    'token',
    'auth_token',
    'API_TOKEN',
    'credentials',
    'credential_json',
    'private_key',
    'privateKey',
    'private-key-pem',
    'api_key',
    'api-key',
    'apiKey',
    'APIKey',
    'x-api-key',
    'access_key',
    'AccessKeyId',
    'secret_access_key',
    'connection_string',
    'ConnectionString',
    'pwd',
    'max_tokens',
  ])('treats %s as a secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'name',
    'description',
    'instance_type',
    'tags',
    'key',
    'Key',
    'kms_key_id',
    'public_key',
    'monkey',
    'token_expiry_seconds',
    'tokenTtl',
    'password_length',
    'PasswordPolicy',
    'secretName',
    'secretKeyRef',
    'secret_arn',
    'password_reset_required',
    'access_token_validity',
    'keyPair',
    'authentication',
    'tokenizer_version',
  ])('compares %s in clear', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe('secret shapes', () => {
  it.each([
    ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----'],
    ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['AWS session key id', 'ASIAY34FZKBOKMUTVV7A'],
    ['GitHub token', `ghp_${'a'.repeat(36)}`],
    ['GitHub app token', `ghs_${'B'.repeat(36)}`],
    ['GitHub fine-grained token', `github_pat_${'1'.repeat(82)}`],
    ['Slack bot token', 'xoxb-1234567890-1234567890-abcdefABCDEF'],
    ['Slack webhook', `https://hooks.slack.com/services/T01234567/B01234567/${'x'.repeat(24)}`],
    ['Stripe key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['Stripe restricted key', 'rk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['JWT', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ])('recognises a %s whatever its key', (_, value) => {
    expect(isSecretShaped(value)).toBe(true);
    expect(maskSecrets({ description: value })).toEqual({ description: S });
  });

  it.each([
    'i-0123456789abcdef0',
    'arn:aws:iam::123456789012:role/app',
    'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
    'https://hooks.example.com/x',
    'sk_test',
  ])('leaves %s alone', (value) => {
    expect(isSecretShaped(value)).toBe(false);
  });

  it('redacts secret shapes inside free text', () => {
    expect(guardText(`token ghp_${'a'.repeat(36)} expired`)).toBe(`token ${S} expired`);
  });
});

describe('masking', () => {
  it('masks name/value pairs, Secret data, Lambda variables and last-applied copies, and keeps ordinary fields', () => {
    const body: Json = {
      kind: 'Secret',
      metadata: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"x"}}' } },
      data: { anything: 'czNjcjN0' },
      stringData: { anything: 'plain' },
      environment: { variables: { DB_PASSWORD: 'p', LOG_LEVEL: 'info' } },
      env: [
        { name: 'API_TOKEN', value: 't' },
        { name: 'PORT', value: '80' },
      ],
      ecs: [{ Name: 'DB_PASSWORD', Value: 'v' }],
      params: [{ ParameterKey: 'DbPassword', ParameterValue: 'n' }],
      tls: { enabled: true, password: null, passphrase: '' },
    };
    expect(maskSecrets(body)).toEqual({
      kind: 'Secret',
      metadata: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': S } },
      data: { anything: S },
      stringData: { anything: S },
      environment: { variables: { DB_PASSWORD: S, LOG_LEVEL: 'info' } },
      env: [
        { name: 'API_TOKEN', value: S },
        { name: 'PORT', value: '80' },
      ],
      ecs: [{ Name: 'DB_PASSWORD', Value: S }],
      params: [{ ParameterKey: 'DbPassword', ParameterValue: S }],
      tls: { enabled: true, password: null, passphrase: '' },
    });
  });

  it('masks a secret 1000 levels deep and refuses a body deeper than it can check', () => {
    let deep: Json = { master_password: 'hunter2', size: 3 };
    for (let i = 0; i < 1000; i++) deep = { level: deep };
    let masked = maskSecrets<Json>(deep);
    for (let i = 0; i < 1000; i++)
      masked = masked !== null && typeof masked === 'object' && !Array.isArray(masked) ? masked['level']! : null;
    expect(masked).toEqual({ master_password: S, size: 3 });

    let tooDeep: Json = 'x';
    for (let i = 0; i <= MAX_MASK_DEPTH; i++) tooDeep = [tooDeep];
    expect(() => maskSecrets(tooDeep)).toThrow(SecretMaskDepthError);
  });

  it('keeps one mask string for declared and observed state', () => {
    expect(SENSITIVE_MASK).toBe(S);
  });
});

describe('the observation gate', () => {
  const hasher = createValueHasher(Buffer.alloc(32, 7));

  it('masks a changed env value by its pair name, keyed-hashed, and leaves the image change in clear', () => {
    const declared: Json = { env: [{ name: 'DB_PASSWORD', value: 'old' }], image: 'api:1' };
    const actual: Json = { env: [{ name: 'DB_PASSWORD', value: 'new' }], image: 'api:2' };
    const o: Observation = {
      kind: 'modified',
      resource: { type: 'apps/v1/Deployment' },
      declared,
      actual,
      changes: [
        { path: '/env/0/value', declared: 'old', actual: 'new', changeType: 'modified', sensitive: false, securityRuleIds: [] },
        { path: '/image', declared: 'api:1', actual: 'api:2', changeType: 'modified', sensitive: false, securityRuleIds: [] },
      ],
    };
    const out = guardObservation(o, hasher);
    if (out.kind !== 'modified') throw new Error('expected a modified observation');
    expect(out.changes[0]).toMatchObject({ declared: S, actual: S, sensitive: true, valueHash: hasher.ofPair('old', 'new') });
    expect(out.changes[1]).toMatchObject({ declared: 'api:1', actual: 'api:2', sensitive: false });
    expect(out.changes[1]!.valueHash).toBeUndefined();
    expect(JSON.stringify(out)).not.toMatch(/"(old|new)"/);
  });

  it('masks a deleted Kubernetes Secret whole-value even when its body does not name its kind', () => {
    const o: Observation = {
      kind: 'deleted',
      resource: { type: 'v1/Secret', kind: 'Secret' },
      declared: { data: { a: 'YQ==' }, stringData: { b: 'b' }, type: 'Opaque' },
    };
    expect(guardObservation(o, hasher)).toMatchObject({ declared: { data: { a: S }, stringData: { b: S }, type: 'Opaque' } });
  });

  it('hashes with the key: another key gives another hash, the same pair the same one', () => {
    const other = createValueHasher(Buffer.alloc(32, 8));
    expect(hasher.ofPair('a', 'b')).toBe(hasher.ofPair('a', 'b'));
    expect(hasher.ofPair('a', 'b')).not.toBe(hasher.ofPair('a', 'c'));
    expect(hasher.ofPair('a', 'b')).not.toBe(other.ofPair('a', 'b'));
  });
});
