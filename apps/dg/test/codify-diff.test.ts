import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connectBus, streamNames, type Bus } from '@driftguard/bus';
import { RecommendationStep, subjectFor, type DataOf } from '@driftguard/contracts';
import { createDb, SERVICE_ROLES, type Database } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { syncRepository } from '@driftguard/ingest';
import { createRecommenderService, loadRecommenderConfig } from '@driftguard/recommender';
import { createLogger, type Service } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * From git to a diff that applies: a repository made with `git init` is synced by ingest (the
 * local-path allowance of its tests), a drift on a resource it declares is analysed, and the
 * recommender's codify step carries a unified diff that `git apply` applies to the real file,
 * which HashiCorp's parser (or yaml) then reads with the live values.
 */

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const silent = createLogger({ level: 'silent', name: 'codify-diff-test' });

interface HclParser {
  parse(filename: string, contents: string): Promise<unknown>;
}
const isHclParser = (m: unknown): m is HclParser =>
  typeof m === 'object' && m !== null && 'parse' in m && typeof m.parse === 'function';
// Through require: the package's type declarations pull the DOM library into the program.
const hcl2json: unknown = createRequire(import.meta.url)('@cdktf/hcl2json');
async function parseHcl(text: string): Promise<unknown> {
  if (!isHclParser(hcl2json)) throw new Error('@cdktf/hcl2json has no parse function');
  return hcl2json.parse('main.tf', text);
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  });
}

function repoWith(parent: string, name: string, files: Record<string, string>): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'infrastructure');
  return dir;
}

/** Applies a step's diff to the working tree with git itself; returns the patched file. */
function gitApply(dir: string, patch: NonNullable<RecommendationStep['patch']>): string {
  const file = join(dir, '.git', 'codify.patch');
  writeFileSync(file, patch.content);
  git(dir, 'apply', '--check', file);
  git(dir, 'apply', file);
  return readFileSync(join(dir, patch.file ?? ''), 'utf8');
}

const Steps = z.array(RecommendationStep);

let tdb: TestDatabase;
let serviceDb: Kysely<Database>;
let svc: Service;
let bus: Bus;
let tmp: string;
let orgId: number;
let envId: number;
const suffix = randomBytes(4).toString('hex');
const subjectRoot = `t${suffix}`;
const streamPrefix = `T${suffix}_`;

beforeAll(async () => {
  tdb = await createTestDatabase('dg_codify_diff');
  tmp = mkdtempSync(join(tmpdir(), 'dg-codify-diff-'));
  const env = {
    DATABASE_URL: tdb.url,
    NATS_URL,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DG_SUBJECT_ROOT: subjectRoot,
    DG_STREAM_PREFIX: streamPrefix,
    DG_RECOMMENDER_POLICY_CACHE_MS: '0',
  };
  serviceDb = createDb(tdb.url, { role: SERVICE_ROLES.recommender, max: 3 });
  svc = await createRecommenderService(loadRecommenderConfig(env), { db: serviceDb, log: silent });
  await svc.start();
  bus = await connectBus({ url: NATS_URL, name: 'codify-diff-test', config: { subjectRoot, streamPrefix }, log: silent });
  const org = await tdb.db
    .insertInto('organizations')
    .values({ name: `org-${suffix}`, slug: `org-${suffix}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const environment = await tdb.db
    .insertInto('environments')
    .values({ organization_id: org.id, name: 'prod', slug: 'prod', cloud_provider: 'aws' })
    .returning('id')
    .executeTakeFirstOrThrow();
  orgId = org.id;
  envId = environment.id;
});

afterAll(async () => {
  await svc?.destroy();
  for (const name of Object.values(streamNames({ streamPrefix }))) await bus?.jsm.streams.delete(name).catch(() => undefined);
  await bus?.close();
  await serviceDb?.destroy();
  await tdb?.destroy();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function repository(tool: 'terraform' | 'kubernetes', url: string): Promise<number> {
  const row = await tdb.db
    .insertInto('iac_repositories')
    .values({ environment_id: envId, name: `${tool}-${suffix}`, tool, repository_url: url, branch: 'main' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const outcome = await syncRepository({ db: tdb.db, log: silent, allowLocalRepositories: true, workDir: tmp }, row.id);
  expect(outcome.status).toBe('synced');
  return row.id;
}

/** A drift as ingest opens it, analysed as an emergency fix whose incident is resolved: codify it. */
async function analyse(
  iacResourceId: number,
  drift: Omit<NonNullable<DataOf<'drift.analyzed.v1'>['drift']>, 'observedAt'>,
): Promise<RecommendationStep[]> {
  const row = await tdb.db
    .insertInto('drift_events')
    .values({ environment_id: envId, iac_resource_id: iacResourceId, drift_type: 'modified' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const data: DataOf<'drift.analyzed.v1'> = {
    driftEventId: row.id,
    severityScore: 0.5,
    confidenceScore: 0.9,
    priority: 'high',
    cause: { category: 'emergency_fix', confidence: 0.9 },
    riskAssessment: { production: true },
    drift: { ...drift, observedAt: new Date().toISOString() },
    correlated: [
      {
        kind: 'incident',
        source: 'pagerduty',
        sourceId: 'INC-7',
        occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
        match: 'resource',
        score: 0.9,
        status: 'resolved',
      },
    ],
    analysisVersion: 1,
  };
  const envelope = { id: uuidv7(), type: 'drift.analyzed', occurredAt: new Date().toISOString(), orgId, envId, data };
  await bus.js.publish(subjectFor('drift.analyzed.v1', orgId, envId, subjectRoot), JSON.stringify(envelope), {
    msgID: envelope.id,
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rec = await tdb.db
      .selectFrom('recommendations')
      .select(['recommendation_type', 'implementation_steps'])
      .where('drift_event_id', '=', row.id)
      .executeTakeFirst();
    if (rec) {
      expect(rec.recommendation_type).toBe('codify_iac');
      return Steps.parse(rec.implementation_steps);
    }
    if (Date.now() > deadline) throw new Error('no recommendation in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const MAIN_TF = `terraform {
  required_version = ">= 1.5"
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "web tier"
  tags = {
    Team = "edge"
  }
}

resource "aws_db_instance" "main" {
  engine   = "postgres"
  password = "a-literal-secret-in-git"
}
`;

describe('codify recommendations diff the file their repository declares the resource in', () => {
  it('Terraform: the diff applies to the synced main.tf with git apply, and HCL reads the live values', async () => {
    const dir = repoWith(tmp, 'tf', { 'network/main.tf': MAIN_TF, 'network/variables.tf': 'variable "region" {}\n' });
    const repositoryId = await repository('terraform', dir);
    // Terraform's declared state comes from its state: uploaded as ingest stores it.
    const declared = { name: 'web', description: 'web tier', tags: { Team: 'edge' }, id: 'sg-1' };
    const resource = await tdb.db
      .insertInto('iac_resources')
      .values({
        iac_repository_id: repositoryId,
        resource_type: 'aws_security_group',
        resource_id: 'aws_security_group.web',
        declared_state: JSON.stringify(declared),
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const steps = await analyse(resource.id, {
      driftType: 'modified',
      resource: { type: 'aws_security_group', address: 'aws_security_group.web', name: 'web', physicalId: 'sg-1' },
      iacTool: 'terraform',
      changedPaths: ['/description', '/tags/Owner'],
      changes: [
        {
          path: '/description',
          declared: 'web tier',
          actual: 'web tier, opened for the incident',
          changeType: 'modified',
          sensitive: false,
          securityRuleIds: [],
        },
        { path: '/tags/Owner', actual: 'oncall', changeType: 'added', sensitive: false, securityRuleIds: [] },
      ],
    });
    const codify = steps[0]!;
    expect(codify.patch).toMatchObject({ format: 'unified_diff', file: 'network/main.tf' });
    expect(codify.patch!.content).not.toContain('a-literal-secret-in-git');
    const patched = gitApply(dir, codify.patch!);
    expect(await parseHcl(patched)).toMatchObject({
      resource: {
        aws_security_group: {
          web: [{ name: 'web', description: 'web tier, opened for the incident', tags: { Team: 'edge', Owner: 'oncall' } }],
        },
        // The other block, and its secret, are as the repository has them.
        aws_db_instance: { main: [{ engine: 'postgres', password: 'a-literal-secret-in-git' }] },
      },
    });
    // The HCL snippet is still generated beside it.
    expect(steps.some((s) => s.patch?.format === 'hcl')).toBe(true);
  });

  it('Kubernetes: the diff edits one document of a multi-document manifest, and git apply applies it', async () => {
    const manifest = `# shop web tier
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2 # HPA off during the sale
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;
    const dir = repoWith(tmp, 'k8s', { 'apps/web.yaml': manifest });
    const repositoryId = await repository('kubernetes', dir);
    const resource = await tdb.db
      .selectFrom('iac_resources')
      .select('id')
      .where('iac_repository_id', '=', repositoryId)
      .where('resource_id', '=', 'apps/v1/Deployment/shop/web')
      .executeTakeFirstOrThrow();
    const steps = await analyse(resource.id, {
      driftType: 'modified',
      resource: { type: 'apps/v1/Deployment', address: 'apps/v1/Deployment/shop/web', name: 'web', namespace: 'shop' },
      iacTool: 'kubernetes',
      changedPaths: ['/spec/template/spec/containers/0/image'],
      changes: [
        {
          path: '/spec/template/spec/containers/0/image',
          declared: 'nginx:1.27',
          actual: 'nginx:1.27-hotfix',
          changeType: 'modified',
          sensitive: false,
          securityRuleIds: [],
        },
      ],
    });
    expect(steps[0]!.patch).toMatchObject({ format: 'unified_diff', file: 'apps/web.yaml' });
    const patched = gitApply(dir, steps[0]!.patch!);
    expect(patched).toBe(manifest.replace('image: nginx:1.27\n', 'image: nginx:1.27-hotfix\n'));
    expect(parseYaml(patched.split('---\n')[1]!)).toMatchObject({
      spec: { template: { spec: { containers: [{ image: 'nginx:1.27-hotfix' }] } } },
    });
  });
});
