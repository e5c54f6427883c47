import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvironment, createOrganization } from '@driftguard/api';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDg } from './support/run-dg.js';

let testDb: TestDatabase;
let dir: string;

beforeAll(async () => {
  testDb = await createTestDatabase('cli_policy');
  await createOrganization(testDb.db, { slug: 'acme' });
  await createEnvironment(testDb.db, { orgSlug: 'acme', slug: 'prod', cloud: 'aws' });
  dir = await mkdtemp(join(tmpdir(), 'dg-policy-'));
});
afterAll(() => testDb?.destroy());

const dg = (args: string[]) => runDg(args, { DATABASE_URL: testDb.url, LOG_LEVEL: 'silent' }, dir);

async function policyFile(name: string, document: unknown): Promise<string> {
  await writeFile(join(dir, name), typeof document === 'string' ? document : JSON.stringify(document));
  return name;
}

const escalateSecurity = {
  rules: [
    {
      id: 'no-unattended-reverts',
      when: { securityCritical: true },
      then: { recommendationType: 'escalate_review', priority: 'critical', estimatedEffort: 'hours', expiresIn: '12h' },
    },
  ],
};

describe('dg policy', () => {
  it('stores a new version per change and shows the latest as the active override', async () => {
    const file = await policyFile('escalate.json', escalateSecurity);
    const first = await dg(['policy', 'set', 'acme/prod', '--file', file, '--by', 'alice']);
    expect(first).toMatchObject({ code: 0, stdout: '1\n' });
    const second = await dg(['policy', 'set', 'acme/prod', '--file', file]);
    expect(second.stdout).toBe('2\n');
    const shown = await dg(['policy', 'show', 'acme/prod']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ source: 'environment', version: 2, document: escalateSecurity });
    const org = await dg(['policy', 'show', 'acme']);
    expect(org).toMatchObject({ code: 0, stdout: '' });
    expect(org.stderr).toContain('the default policy applies');
  });

  it.each([
    [
      'an unattended manual review',
      {
        rules: [
          {
            id: 'x',
            when: {},
            then: {
              recommendationType: 'manual_review',
              priority: 'low',
              estimatedEffort: 'hours',
              expiresIn: '1d',
              unattended: true,
            },
          },
        ],
      },
      'rules.0.then.unattended: only an auto_revert may run unattended, not manual_review',
    ],
    [
      'an auto_revert that could hit unmanaged resources',
      {
        rules: [
          {
            id: 'x',
            when: { production: true },
            then: { recommendationType: 'auto_revert', priority: 'high', estimatedEffort: 'minutes', expiresIn: '1d' },
          },
        ],
      },
      'rules.0.when.driftTypes: auto_revert cannot revert an unmanaged (added) resource',
    ],
    [
      'an unknown recommendation type',
      {
        rules: [
          {
            id: 'x',
            when: {},
            then: { recommendationType: 'delete_it', priority: 'high', estimatedEffort: 'minutes', expiresIn: '1d' },
          },
        ],
      },
      'rules.0.then.recommendationType',
    ],
    [
      'a duplicate rule id and a bad duration',
      {
        rules: [
          {
            id: 'a',
            when: {},
            then: { recommendationType: 'manual_review', priority: 'low', estimatedEffort: 'hours', expiresIn: '1d' },
          },
          {
            id: 'a',
            when: {},
            then: { recommendationType: 'manual_review', priority: 'low', estimatedEffort: 'hours', expiresIn: '1 week' },
          },
        ],
      },
      'rules.1.then.expiresIn: must be a duration such as 30m, 12h or 7d; rules.1.id: "a" is already the id of rule 0',
    ],
    [
      'a misspelt condition',
      {
        rules: [
          {
            id: 'x',
            when: { cause: ['unknown'] },
            then: { recommendationType: 'manual_review', priority: 'low', estimatedEffort: 'hours', expiresIn: '1d' },
          },
        ],
      },
      'rules.0.when',
    ],
  ])('refuses %s with a clear message, exit 2, and stores nothing', async (_name, document, message) => {
    const file = await policyFile('bad.json', document);
    const res = await dg(['policy', 'set', 'acme/prod', '--file', file]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('dg: invalid recommendation policy: ');
    expect(res.stderr).toContain(message);
    const shown = await dg(['policy', 'show', 'acme/prod']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ version: 2 });
  });

  it('refuses a file that is not JSON and an unknown environment', async () => {
    const notJson = await dg(['policy', 'set', 'acme/prod', '--file', await policyFile('x.json', 'rules: []')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('x.json is not JSON');
    const unknown = await dg(['policy', 'set', 'acme/staging', '--file', await policyFile('ok.json', escalateSecurity)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('environment "acme/staging" not found');
  });

  it('prints the default policy', async () => {
    const res = await dg(['policy', 'show', '--defaults']);
    const shown: unknown = JSON.parse(res.stdout);
    expect(shown).toMatchObject({
      source: 'default',
      version: 0,
      document: { rules: expect.arrayContaining([expect.objectContaining({ id: 'fallback' })]) },
    });
  });
});
