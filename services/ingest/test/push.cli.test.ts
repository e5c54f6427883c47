import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, fixture, REPO_ROOT, startIngest, type IngestHarness } from './harness.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('push');
});
afterAll(async () => {
  await h?.stop();
});

function dg(args: string[], env: Record<string, string>, stdin?: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', resolve(REPO_ROOT, 'packages/cli/src/main.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('dg push', () => {
  it('submits a file, prints the scan id and, with --wait, the outcome', async () => {
    const env = { DG_URL: h.url, DG_TOKEN: h.tenant.token };
    const r = await dg(['push', '--env', `${h.tenant.orgSlug}/prod`, '--format', 'driftctl', '--full', '--wait', resolve(FIXTURES, 'driftctl/scan-output.v0.40.json')], env);
    expect(r.stderr).toMatch(/completed: 6 resources seen, 4 drifts opened/);
    expect(r.code).toBe(0);
    const scanId = r.stdout.trim();
    expect(scanId).toMatch(/^[0-9a-f-]{36}$/);
    const scan = await h.get(`/v1/scans/${scanId}`);
    expect(scan.body).toMatchObject({ status: 'completed', full: true, source: 'cli' });
  });

  it('reads standard input', async () => {
    const r = await dg(['push', '--format', 'cloudformation', '-'], { DG_URL: h.url, DG_TOKEN: h.tenant.token }, fixture('cloudformation/describe-stack-resource-drifts.awscli-lambda-not-equal.json'));
    expect(r.code).toBe(0);
    expect((await h.waitForScan(r.stdout.trim())).counts.driftsOpened).toBe(1);
  });

  it('exits non-zero with the problem when the scan is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-push-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"StackResourceDrifts": "nope"}');
    const r = await dg(['push', '--format', 'cloudformation', file], { DG_URL: h.url, DG_TOKEN: h.tenant.token });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/422/);
    expect(r.stderr).toMatch(/StackResourceDrifts/);
  });

  it('explains a missing token or file and exits 2', async () => {
    const noToken = await dg(['push', '--format', 'driftctl', resolve(FIXTURES, 'driftctl/scan-output.v0.40.json')], { DG_URL: h.url });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/DG_TOKEN/);
    const noFile = await dg(['push', '--format', 'driftctl', '/nonexistent/scan.json'], { DG_URL: h.url, DG_TOKEN: h.tenant.token });
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/no such file/);
  });

  it('refuses a token for another environment', async () => {
    const r = await dg(['push', '--env', 'someone-else/prod', '--format', 'driftctl', resolve(FIXTURES, 'driftctl/scan-output.v0.40.json')], { DG_URL: h.url, DG_TOKEN: h.tenant.token });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/404/);
  });
});
