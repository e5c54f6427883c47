import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger } from '@driftguard/runtime';
import { parseTemplate, readTemplateObject } from '../src/declared/cloudformation.reader.js';
import { syncRepository, type GitSyncContext } from '../src/declared/git-sync.js';
import { readKubernetesManifests } from '../src/declared/kubernetes.reader.js';
import { parseTerraformFile } from '../src/declared/terraform-sources.js';
import { DECLARED_LIMITS } from '../src/limits.js';
import { LocalRepo, tempDir } from './declared.git-support.js';
import { repositoryRow, tenantRows, type TenantRows } from './declared.support.js';

let tdb: TestDatabase;
let tenant: TenantRows;
let tmp: ReturnType<typeof tempDir>;
let ctx: GitSyncContext;

beforeAll(async () => {
  tdb = await createTestDatabase('ingest_source_files');
  tenant = await tenantRows(tdb.db);
  tmp = tempDir('dg-source-files-test-');
  ctx = {
    db: tdb.db,
    log: createLogger({ level: 'silent', name: 'ingest' }),
    workDir: join(tmp.path, 'work'),
    allowLocalRepositories: true,
  };
});
afterAll(async () => {
  await tdb?.destroy();
  tmp?.remove();
});

async function sourceFiles(repositoryId: number) {
  return tdb.db
    .selectFrom('iac_source_files')
    .select(['path', 'commit_sha', 'content', 'content_bytes', 'declares'])
    .where('iac_repository_id', '=', repositoryId)
    .orderBy('path')
    .execute();
}

async function declaredStates(repositoryId: number) {
  const rows = await tdb.db
    .selectFrom('iac_resources')
    .select(['resource_id', 'declared_state'])
    .where('iac_repository_id', '=', repositoryId)
    .execute();
  return new Map(rows.map((r) => [r.resource_id, r.declared_state]));
}

const GITHUB_TOKEN = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`;

const manifests = `# the shop's web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2 # scaled by hand
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env:
            - name: DB_PASSWORD
              value: hunter2-in-git
            - name: LOG_LEVEL
              value: info
---
apiVersion: v1
kind: Secret
metadata: {name: web-creds, namespace: shop}
stringData:
  api-key: plain-api-key-value
  username: shop
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data:
  note: "deploy token in a comment: ${GITHUB_TOKEN}"
`;

describe('declaring files kept by a git sync', () => {
  it('keeps each Kubernetes manifest file with what it declares, secrets masked in place, and drops files no longer declaring', async () => {
    const repo = new LocalRepo(tmp.path, 'k8s-sources').write({
      'apps/web.yaml': manifests,
      'apps/other.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      'docs/readme.yaml': 'title: not a manifest\n',
    });
    const commit = repo.commit('manifests');
    const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', { url: repo.dir });

    const outcome = await syncRepository(ctx, id);
    expect(outcome).toMatchObject({ status: 'synced', sources: { files: 2, withoutText: 0 } });
    const files = await sourceFiles(id);
    expect(files.map((f) => [f.path, f.commit_sha, f.declares])).toEqual([
      ['apps/other.yaml', commit, ['v1/Namespace//shop']],
      ['apps/web.yaml', commit, ['apps/v1/Deployment/shop/web', 'v1/Secret/shop/web-creds', 'v1/ConfigMap/shop/web-config']],
    ]);
    const web = files[1]!.content!;
    for (const secret of ['hunter2-in-git', 'plain-api-key-value', GITHUB_TOKEN]) expect(web).not.toContain(secret);
    // Everything else stays as written: comments, layout, the values that are not secret.
    expect(web).toContain("# the shop's web tier\n");
    expect(web).toContain('  replicas: 2 # scaled by hand\n');
    expect(web).toContain('              value: "(sensitive)"\n            - name: LOG_LEVEL\n              value: info\n');
    expect(web).toContain('  api-key: "(sensitive)"\n  username: "(sensitive)"\n');
    // The stored text reads back as exactly the declared state that was stored.
    const stored = await declaredStates(id);
    const reread = readKubernetesManifests(web).resources;
    expect(reread.map((r) => r.resourceId)).toEqual(files[1]!.declares);
    for (const r of reread) expect(r.declaredState).toEqual(stored.get(r.resourceId));

    repo.remove('apps/other.yaml');
    repo.commit('namespace elsewhere');
    await syncRepository(ctx, id);
    expect((await sourceFiles(id)).map((f) => f.path)).toEqual(['apps/web.yaml']);
  });

  it('keeps CloudFormation templates, YAML short forms intact, parameters with secret names masked', async () => {
    const template = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUsername: admin
      MasterUserPassword: literal-master-password
      DBInstanceClass: db.t3.micro
      Tags:
        - Key: Owner
          Value: !Sub '\${AWS::StackName}-team'
`;
    const repo = new LocalRepo(tmp.path, 'cfn-sources').write({ 'stacks/db.yaml': template });
    repo.commit('db');
    const id = await repositoryRow(tdb.db, tenant.envId, 'cloudformation', { url: repo.dir });
    await syncRepository(ctx, id);
    const [file] = await sourceFiles(id);
    expect(file).toMatchObject({ path: 'stacks/db.yaml', declares: ['Db'] });
    expect(file!.content).not.toContain('literal-master-password');
    expect(file!.content).toContain("Value: !Sub '${AWS::StackName}-team'");
    const reread = readTemplateObject(parseTemplate(file!.content!)).resources;
    expect(reread[0]!.declaredState).toEqual((await declaredStates(id)).get('Db'));
  });

  it('syncs a Terraform repository for its .tf files only: addresses through local modules, secret literals masked', async () => {
    const repo = new LocalRepo(tmp.path, 'tf-sources').write({
      'main.tf': `terraform {
  required_version = ">= 1.5"
}

resource "aws_db_instance" "main" {
  engine   = "postgres"
  password = "hunter2-literal"
  tags = {
    Owner     = "data"
    api_token = "tok-in-a-map"
  }
}

module "net" {
  source = "./modules/net"
}
`,
      'variables.tf': 'variable "region" {\n  default = "eu-west-1"\n}\n',
      'modules/net/main.tf': `resource "aws_vpc" "this" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private" {
  for_each   = toset(["a", "b"])
  vpc_id     = aws_vpc.this.id
  cidr_block = "10.0.1.0/24"
}

data "aws_region" "current" {}
`,
    });
    const commit = repo.commit('terraform');
    const id = await repositoryRow(tdb.db, tenant.envId, 'terraform', { url: repo.dir });

    const outcome = await syncRepository(ctx, id);
    expect(outcome).toMatchObject({ status: 'synced', commit, counts: null, sources: { files: 2, withoutText: 0, changed: 2 } });
    const files = await sourceFiles(id);
    expect(files.map((f) => [f.path, f.declares])).toEqual([
      ['main.tf', ['aws_db_instance.main']],
      ['modules/net/main.tf', ['module.net.aws_subnet.private', 'module.net.aws_vpc.this']],
    ]);
    const main = files[0]!.content!;
    expect(main).not.toContain('hunter2-literal');
    expect(main).not.toContain('tok-in-a-map');
    expect(main).toContain('  password = "(sensitive)"\n');
    // The masked file is still HCL.
    const parsed = await parseTerraformFile('main.tf', main);
    expect(parsed).toMatchObject({ resource: { aws_db_instance: { main: [{ engine: 'postgres', password: '(sensitive)' }] } } });
    // The declared state of a Terraform repository is its state: a source sync leaves it alone.
    expect((await declaredStates(id)).size).toBe(0);
    const audit = await tdb.db
      .selectFrom('audit_log')
      .select('action')
      .where('resource_type', '=', 'iac_repository')
      .where('resource_id', '=', id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['iac_source_files.replaced']);

    // A scheduled sync that finds the same files changes nothing and writes no audit row.
    expect(await syncRepository(ctx, id, { trigger: 'schedule' })).toMatchObject({ sources: { files: 2, changed: 0 } });
    const again = await tdb.db
      .selectFrom('audit_log')
      .select('action')
      .where('resource_type', '=', 'iac_repository')
      .where('resource_id', '=', id)
      .execute();
    expect(again).toHaveLength(1);
  });

  it('keeps the path and addresses of a file over the size bound, without its text', async () => {
    const filler = `# ${'x'.repeat(200)}\n`.repeat(Math.ceil(DECLARED_LIMITS.maxSourceFileBytes / 200));
    const repo = new LocalRepo(tmp.path, 'tf-large').write({
      'big.tf': `${filler}resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n`,
      'small.tf': 'resource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n',
    });
    repo.commit('big');
    const id = await repositoryRow(tdb.db, tenant.envId, 'terraform', { url: repo.dir });
    const outcome = await syncRepository(ctx, id);
    expect(outcome).toMatchObject({ sources: { files: 2, withoutText: 1 } });
    const files = await sourceFiles(id);
    expect(files.map((f) => [f.path, f.content === null, f.declares])).toEqual([
      ['big.tf', true, ['aws_s3_bucket.logs']],
      ['small.tf', false, ['aws_s3_bucket.data']],
    ]);
    expect(files[0]!.content_bytes).toBeGreaterThan(DECLARED_LIMITS.maxSourceFileBytes);
  });

  it('stops at a .tf file that does not parse, naming it, and keeps the previous files', async () => {
    const repo = new LocalRepo(tmp.path, 'tf-broken').write({ 'main.tf': 'resource "aws_s3_bucket" "b" {}\n' });
    repo.commit('good');
    const id = await repositoryRow(tdb.db, tenant.envId, 'terraform', { url: repo.dir });
    await syncRepository(ctx, id);
    repo.write({ 'main.tf': 'resource "aws_s3_bucket" "b" {\n' });
    repo.commit('broken');
    const err = await syncRepository(ctx, id).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unreadable_file', permanent: true });
    expect((err as Error).message).toMatch(/^commit [0-9a-f]{12}: main\.tf: /);
    expect((await sourceFiles(id)).map((f) => f.declares)).toEqual([['aws_s3_bucket.b']]);
  });
});
