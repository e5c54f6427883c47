import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analysisConfigSchema } from '@driftguard/analysis';
import { apiConfigSchema } from '@driftguard/api';
import { durableName, streamName } from '@driftguard/bus';
import { catalog, type EventKey } from '@driftguard/contracts';
import { ingestConfigSchema } from '@driftguard/ingest';
import { notifierConfigSchema } from '@driftguard/notifier';
import { recommenderConfigSchema } from '@driftguard/recommender';
import { baseConfigSchema } from '@driftguard/runtime/boot';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { SERVICE_NAMES, type ServiceName } from '../src/service-catalog.js';

// The deployment files are checked offline against the specifications they claim to follow: the
// Compose specification's JSON schema and the Kubernetes (and KEDA) OpenAPI schemas for each
// object's apiVersion and kind. Names, ports, probes, variables and consumers must match the code.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const CONFIG_SCHEMAS = {
  api: apiConfigSchema,
  ingest: ingestConfigSchema,
  analysis: analysisConfigSchema,
  recommender: recommenderConfigSchema,
  notifier: notifierConfigSchema,
} as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const record = (v: unknown, what: string): Record<string, unknown> => {
  if (!isRecord(v)) throw new Error(`${what} is not an object`);
  return v;
};
const list = (v: unknown, what: string): unknown[] => {
  if (!Array.isArray(v)) throw new Error(`${what} is not a list`);
  return v;
};

/** The default port a service's configuration gives it. */
function defaultPort(name: ServiceName): number {
  const cfg = CONFIG_SCHEMAS[name].parse({ DG_MASTER_KEY: undefined });
  return cfg.PORT;
}

/** The event keys a service consumes, read from the `consume({ key })` calls of its service.ts. */
function consumedKeys(name: ServiceName): EventKey[] {
  const source = read(`services/${name}/src/service.ts`);
  const keys = [...source.matchAll(/key: '([a-z_.0-9]+)'/g)].map((m) => m[1] ?? '');
  return [...new Set(keys)].filter((k): k is EventKey => Object.hasOwn(catalog, k));
}

describe('docker-compose.yml', () => {
  const text = read('docker-compose.yml');
  const compose = record(parseYaml(text, { merge: true }), 'compose file');
  const services = record(compose['services'], 'services');

  it('is valid against the Compose specification', () => {
    // The Compose specification's schema as dclint (a Compose linter) ships it.
    const require = createRequire(import.meta.url);
    const schemaPath = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
    // Compose's own formats (`30s` durations, port ranges) are not JSON Schema's: structure only.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    // It names draft-07 as `https://…/draft-07/schema`, Ajv's draft-07 is registered under `http://…#`.
    const { $schema: _draft07, ...schema } = record(JSON.parse(readFileSync(schemaPath, 'utf8')), 'schema');
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs every service with only variables its configuration knows, on its own port, health-checked', () => {
    for (const name of SERVICE_NAMES) {
      const svc = record(services[name], `service ${name}`);
      expect(svc['command']).toEqual([name]);
      const env = record(svc['environment'], `${name}.environment`);
      const known = Object.keys(CONFIG_SCHEMAS[name].shape);
      expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
      expect(Number(env['PORT'])).toBe(defaultPort(name));
      // The values parse too, once compose has substituted them.
      const substituted = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [
          k,
          String(v).replace(/\$\{([A-Z_]+)(?::?[-?][^}]*)?\}/g, (_, n: string) => sample(n)),
        ]),
      );
      expect(() => CONFIG_SCHEMAS[name].parse(substituted)).not.toThrow();
      const health = record(svc['healthcheck'], `${name}.healthcheck`);
      expect(JSON.stringify(health['test'])).toContain('/readyz');
      const depends = record(svc['depends_on'], `${name}.depends_on`);
      expect(record(depends['migrate'], 'migrate').condition).toBe('service_completed_successfully');
      expect(record(depends['nats'], 'nats').condition).toBe('service_healthy');
      expect(svc['read_only']).toBe(true);
    }
    const migrate = record(services['migrate'], 'migrate');
    expect(migrate['command']).toEqual(['migrate']);
    const migrateEnv = Object.keys(record(migrate['environment'], 'migrate.environment'));
    expect(migrateEnv.filter((k) => !Object.keys(baseConfigSchema.shape).includes(k))).toEqual([]);
  });

  it('brings PostgreSQL, NATS (and a 3-node cluster profile), the collector, Jaeger, Prometheus and Mailpit', () => {
    for (const peer of ['postgres', 'nats', 'otel-collector', 'jaeger', 'prometheus', 'mailpit'])
      expect(services).toHaveProperty(peer);
    const cluster = ['nats-1', 'nats-2', 'nats-3'].map((n) => record(services[n], n));
    for (const node of cluster) expect(node['profiles']).toEqual(['nats-cluster']);
    const prometheus = read('infra/observability/prometheus.yml');
    for (const name of SERVICE_NAMES) expect(prometheus).toContain(`${name}:${defaultPort(name)}`);
  });

  it('inlines no secret: passwords and keys come from the environment', () => {
    expect(text).not.toMatch(/POSTGRES_PASSWORD:\s+[^$\s]/);
    expect(text).not.toMatch(/DG_MASTER_KEY:\s+[^$\s]/);
  });
});

function sample(variable: string): string {
  if (variable === 'DG_MASTER_KEY') return `k1:${Buffer.alloc(32, 7).toString('base64')}`;
  if (variable === 'DG_NATS_URL') return 'nats://nats:4222';
  if (variable === 'DG_STREAM_REPLICAS') return '1';
  if (variable === 'DG_OUTBOUND_ALLOW') return 'mailpit:1025';
  if (variable === 'LOG_LEVEL') return 'info';
  return 'sample';
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: unknown;
  data?: Record<string, string>;
}

/** Every object of the kustomize base, as listed by its kustomization. */
function baseObjects(): { file: string; object: K8sObject }[] {
  const kustomization = record(parseYaml(read('infra/kubernetes/base/kustomization.yaml')), 'kustomization');
  const resources = list(kustomization['resources'], 'resources').map(String);
  const onDisk = readdirSync(join(root, 'infra/kubernetes/base')).filter(
    (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
  );
  expect([...resources].sort()).toEqual([...onDisk].sort());
  return resources.flatMap((file) =>
    parseAllDocuments(read(`infra/kubernetes/base/${file}`)).map((doc) => {
      const object = record(doc.toJS(), file);
      return {
        file,
        object: {
          apiVersion: String(object['apiVersion']),
          kind: String(object['kind']),
          metadata: { name: String(record(object['metadata'], 'metadata')['name']) },
          ...object,
        },
      };
    }),
  );
}

/** Validates an object with the kubernetes-models class of its apiVersion and kind (throws on a violation). */
async function validateObject(object: K8sObject): Promise<void> {
  const { apiVersion, kind } = object;
  const path = apiVersion.startsWith('keda.sh/')
    ? `@kubernetes-models/keda/${apiVersion}/${kind}`
    : `kubernetes-models/${apiVersion}/${kind}`;
  const mod: unknown = await import(path);
  const model = record(mod, path)[kind];
  if (typeof model !== 'function') throw new Error(`no schema for ${apiVersion} ${kind}`);
  const instance: unknown = Reflect.construct(model, [object]);
  const validate = record(instance, kind)['validate'];
  if (typeof validate !== 'function') throw new Error(`${kind} has no validate()`);
  Reflect.apply(validate, instance, []);
}

describe('infra/kubernetes', () => {
  const objects = baseObjects();
  const byKind = (kind: string) => objects.filter((o) => o.object.kind === kind).map((o) => o.object);

  it('every object is valid against the schema of its apiVersion and kind', async () => {
    expect(objects.length).toBeGreaterThan(15);
    for (const { file, object } of objects) {
      await expect(validateObject(object), `${file}: ${object.kind} ${object.metadata.name}`).resolves.toBeUndefined();
    }
  });

  it('a Deployment, Service and PodDisruptionBudget per service, with its port, probes, variables and a locked-down pod', () => {
    const configMap = byKind('ConfigMap').find((c) => c.metadata.name === 'driftguard-config');
    const shared = Object.keys(configMap?.data ?? {});
    for (const name of SERVICE_NAMES) {
      const port = defaultPort(name);
      const deployment = byKind('Deployment').find((d) => d.metadata.name === `driftguard-${name}`);
      expect(deployment, name).toBeDefined();
      const pod = record(record(record(deployment?.spec, 'spec')['template'], 'template')['spec'], 'pod');
      const [container] = list(pod['containers'], 'containers').map((c) => record(c, 'container'));
      expect(container?.['args']).toEqual([name]);
      expect(list(container?.['ports'], 'ports')).toEqual([{ name: 'http', containerPort: port }]);
      expect(record(record(container?.['livenessProbe'], 'liveness')['httpGet'], 'httpGet')['path']).toBe('/healthz');
      expect(record(record(container?.['readinessProbe'], 'readiness')['httpGet'], 'httpGet')['path']).toBe('/readyz');
      const env = list(container?.['env'], 'env').map((e) => record(e, 'env var'));
      const known = Object.keys(CONFIG_SCHEMAS[name].shape);
      const names = [...env.map((e) => String(e['name'])), ...shared];
      expect(names.filter((n) => !known.includes(n))).toEqual([]);
      for (const secret of ['DATABASE_URL', 'DG_MASTER_KEY']) {
        const entry = env.find((e) => e['name'] === secret);
        expect(entry?.['value'], `${name} ${secret} inlined`).toBeUndefined();
        expect(record(record(entry?.['valueFrom'], 'valueFrom')['secretKeyRef'], 'secretKeyRef')['name']).toBe(
          'driftguard-secrets',
        );
      }
      const security = record(container?.['securityContext'], 'securityContext');
      expect(security['readOnlyRootFilesystem']).toBe(true);
      expect(security['allowPrivilegeEscalation']).toBe(false);
      expect(record(pod['securityContext'], 'pod securityContext')['runAsNonRoot']).toBe(true);
      expect(list(pod['topologySpreadConstraints'], 'spread').length).toBeGreaterThan(0);
      const service = byKind('Service').find((s) => s.metadata.name === `driftguard-${name}`);
      expect(list(record(service?.spec, 'service spec')['ports'], 'ports')).toEqual([{ name: 'http', port, targetPort: 'http' }]);
      expect(byKind('PodDisruptionBudget').some((p) => p.metadata.name === `driftguard-${name}`)).toBe(true);
    }
    expect(shared.filter((n) => !Object.keys(baseConfigSchema.shape).includes(n))).toEqual([]);
  });

  it('KEDA scales each consumer service on the lag of every durable consumer it declares', () => {
    const scaled = byKind('ScaledObject');
    for (const name of SERVICE_NAMES) {
      const keys = consumedKeys(name);
      const object = scaled.find((s) => s.metadata.name === `driftguard-${name}`);
      if (keys.length === 0) {
        expect(object, `${name} consumes nothing`).toBeUndefined();
        continue;
      }
      const spec = record(object?.spec, `${name} ScaledObject`);
      expect(record(spec['scaleTargetRef'], 'target')['name']).toBe(`driftguard-${name}`);
      const triggers = list(spec['triggers'], 'triggers').map((t) => record(t, 'trigger'));
      const declared = triggers.map((t) => {
        expect(t['type']).toBe('nats-jetstream');
        const m = record(t['metadata'], 'metadata');
        return `${String(m['stream'])}/${String(m['consumer'])}`;
      });
      const expected = keys.map((k) => `${streamName({ streamPrefix: 'DG_' }, catalog[k].stream)}/${durableName(name, k)}`);
      expect([...declared].sort()).toEqual([...expected].sort());
    }
  });

  it('migrations run as a pre-sync Job, and NATS runs as a 3-node JetStream cluster', () => {
    const [job] = byKind('Job');
    expect(job?.metadata.annotations?.['argocd.argoproj.io/hook']).toBe('PreSync');
    const values = record(parseYaml(read('infra/kubernetes/nats-values.yaml')), 'nats values');
    const config = record(values['config'], 'config');
    expect(record(config['cluster'], 'cluster')).toMatchObject({ enabled: true, replicas: 3 });
    expect(record(config['jetstream'], 'jetstream')['enabled']).toBe(true);
    expect(configMapValue('DG_STREAM_REPLICAS')).toBe('3');
  });

  function configMapValue(key: string): string | undefined {
    return byKind('ConfigMap').find((c) => c.metadata.name === 'driftguard-config')?.data?.[key];
  }
});

describe('Dockerfile', () => {
  it('builds every unit and its entrypoint runs each of them', () => {
    const dockerfile = read('Dockerfile');
    const entrypoint = read('infra/docker/entrypoint.sh');
    expect(dockerfile).toMatch(/^USER 10001/m);
    for (const name of SERVICE_NAMES) {
      expect(dockerfile).toContain(name);
      expect(entrypoint).toMatch(new RegExp(`${name}[|)]`));
    }
    expect(entrypoint).toContain('migrate up');
  });
});
