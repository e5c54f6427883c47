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

/** Starts `dg …` the way `pnpm dg` does, against the suite's database. */
function start(args: string[]) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/dg/src/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: testDb.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString('utf8')));
  const done = new Promise<Run>((resolve) => child.once('close', (code) => resolve({ code, ...out })));
  return { child, out, done };
}

/** Runs `dg …` to its end. */
function dg(args: string[]): Promise<Run> {
  return start(args).done;
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
    expect(run.stdout).toMatch(
      /hand-written scenarios \(11, one or more per cause\): macro-F1 [01]\.\d{3} {2}accuracy [01]\.\d{3} {2}ECE 0\.\d{3}/,
    );
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

  it('trains again on schedule until told to stop, each run registering a version', async () => {
    const before = await testDb.db.selectFrom('ml_models').select('id').execute();
    const run = start([
      'ml',
      'train',
      '--schedule',
      '1s',
      '--seed',
      '9',
      '--samples',
      '60',
      '--folds',
      '2',
      '--eval-samples',
      '60',
    ]);
    const deadline = Date.now() + 120_000;
    while (!run.out.stderr.includes('scheduled training run 2') || !run.out.stderr.includes('next training at')) {
      if (Date.now() > deadline) throw new Error(`no second run: ${run.out.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Stopped while it waits for the next run, or during the second: either way it ends cleanly.
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('scheduled training stopped');
    expect(result.stdout.match(/registered drift-cause v\d+/g)?.length).toBeGreaterThanOrEqual(1);
    const after = await testDb.db.selectFrom('ml_models').select('id').execute();
    expect(after.length).toBeGreaterThan(before.length);
  });

  it('rejects an interval it cannot read', async () => {
    const run = await dg(['ml', 'train', '--schedule', 'often']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected an interval such as 30m, 6h or 1d');
  });

  it('rejects a bad sample count with a usage error and exit code 2', async () => {
    const run = await dg(['ml', 'train', '--samples', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--samples <n>' argument 'many' is invalid. expected a positive integer");
  });
});
