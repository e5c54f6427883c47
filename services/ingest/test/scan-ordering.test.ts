import { afterAll, beforeAll, expect, it } from 'vitest';
import { driftRows, startIngest, type IngestHarness } from './harness.js';
import { cfnDrifts } from './builders.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('ordering');
});
afterAll(async () => {
  await h?.stop();
});

/** A full scan in which every queue shows the delay it had at `round`. */
const roundScan = (round: number) =>
  cfnDrifts(
    Array.from({ length: 150 }, (_, i) => ({
      id: `Queue${i}`,
      diffs: [['/DelaySeconds', 0, round] as [string, unknown, unknown]],
    })),
  );

it('applies the scans of one environment in submission order even with several ingest instances', async () => {
  const peers = [await h.startPeer(), await h.startPeer()];
  const urls = [h.url, ...peers];
  const ids: string[] = [];
  // each round is submitted to another instance, back to back
  for (let round = 1; round <= 6; round++) {
    const res = await fetch(`${urls[round % urls.length]}/v1/scans?format=cloudformation&full=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tenant.token}` },
      body: roundScan(round),
    });
    expect(res.status).toBe(202);
    ids.push(((await res.json()) as { scanId: string }).scanId);
  }
  const scans = [];
  for (const id of ids) scans.push(await h.waitForScan(id, 60_000));
  // every scan completed on its first attempt, each superseding the previous round's drifts
  expect(scans.map((s) => [s.status, s.attempts])).toEqual(ids.map(() => ['completed', 1]));
  expect(scans.map((s) => s.counts.driftsOpened)).toEqual([150, 150, 150, 150, 150, 150]);
  expect(scans.map((s) => s.counts.driftsResolved)).toEqual([0, 150, 150, 150, 150, 150]);
  const starts = scans.map((s) => new Date(s.startedAt).getTime());
  const ends = scans.map((s) => new Date(s.completedAt).getTime());
  for (let i = 1; i < scans.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(ends[i - 1]!);

  const open = await driftRows(h.db, h.tenant.envId, { open: true });
  expect(open).toHaveLength(150);
  expect(new Set(open.map((d) => d.changes[0]!.actual))).toEqual(new Set([6]));
});
