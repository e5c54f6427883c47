import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `dg …` the way `pnpm dg` does, against the suite's database. */
function dg(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/dg/src/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: testDb.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase('analysis_ml_cli');
});
afterAll(() => testDb?.destroy());

describe('dg ml', () => {
  it('says rules decide while no model is trained', async () => {
    const run = await dg(['ml', 'status']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('no active drift-cause model: causes are decided by rules');
  });

  it('trains, prints the cross-validation and held-out report, registers and activates the model', async () => {
    const run = await dg(['ml', 'train', '--seed', '3', '--samples', '900', '--folds', '3', '--eval-samples', '600']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /cross-validation \(3-fold stratified, out-of-fold, calibrated\): macro-F1 0\.\d{3} .* ECE 0\.\d{3}/,
    );
    expect(run.stdout).toMatch(/held-out evaluation \(600 scenarios, seed 1000006\): macro-F1 0\.\d{3}/);
    expect(run.stdout).toContain('confusion (rows true, columns predicted');
    expect(run.stdout).toMatch(/security_response\s+0\.\d{3}\s+0\.\d{3}\s+0\.\d{3}\s+100/);
    expect(run.stdout).toContain('top features (permutation importance');
    expect(run.stdout).toContain('registered drift-cause v1 (id ');
    expect(run.stdout).toContain(': active (no active model)');

    const row = await testDb.db.selectFrom('ml_models').select(['version', 'is_active', 'framework']).executeTakeFirstOrThrow();
    expect(row).toEqual({ version: 'v1', is_active: true, framework: 'xgboost' });

    const status = await dg(['ml', 'status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^active: drift-cause v1 \(id \d+\)/);
    expect(status.stdout).toMatch(/held-out macro-F1 0\.\d{4}\s+accuracy 0\.\d{4}/);
    expect(status.stdout).toMatch(/versions:\n {2}v1\tactive\t/);
  });

  it('rejects a bad sample count with a usage error and exit code 2', async () => {
    const run = await dg(['ml', 'train', '--samples', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--samples <n>' argument 'many' is invalid. expected a positive integer");
  });
});
