import { afterAll, beforeAll, expect, it } from 'vitest';
import { subjectFor } from '@driftguard/contracts';
import { dg, driftRows, envelope, startIngest, waitUntil, type IngestHarness } from './harness.js';
import { cfnDrifts } from './builders.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('dlq');
});
afterAll(async () => {
  await h?.stop();
});

it('dead-letters a command that cannot be applied yet, lists it with dg dlq list, and dg dlq replay applies it once possible', async () => {
  const cli = {
    DATABASE_URL: h.env['DATABASE_URL']!,
    NATS_URL: h.env['NATS_URL']!,
    DG_SUBJECT_ROOT: h.subjectRoot,
    DG_STREAM_PREFIX: h.streamPrefix,
  };
  // the verdict arrives before the drift it names exists (a fresh database numbers drifts from 1)
  const bus = await h.bus();
  const cmd = envelope('cmd.drift.resolve', h.tenant.orgId, h.tenant.envId, {
    driftEventId: 1,
    resolutionType: 'accepted',
    confirmedCause: 'automated_response',
  });
  await bus.js.publish(subjectFor('cmd.drift.resolve.v1', h.tenant.orgId, h.tenant.envId, h.subjectRoot), JSON.stringify(cmd), {
    msgID: cmd.id,
  });
  const letter = await waitUntil(
    async () =>
      (await h.db.selectFrom('dead_letters').select(['id']).where('message_id', '=', cmd.id).executeTakeFirst()) ?? undefined,
  );

  const list = await dg(['dlq', 'list', '--service', 'ingest'], cli);
  expect(list.code).toBe(0);
  const line = list.stdout.split('\n').find((l) => l.startsWith(`${letter.id}\t`));
  expect(line).toMatch(/cmd\.drift\.resolve\.v1/);
  expect(line).toMatch(/drift 1 does not exist/);

  const scan = await h.waitForScan(
    await h.submit('cloudformation', cfnDrifts([{ id: 'Queue', diffs: [['/DelaySeconds', 20, 120]] }])),
  );
  expect(scan.counts.driftsOpened).toBe(1);
  expect((await driftRows(h.db, h.tenant.envId))[0]).toMatchObject({ id: 1, resolved: false });

  const replay = await dg(['dlq', 'replay', String(letter.id)], cli);
  expect(replay.stderr).toBe('');
  expect(replay.code).toBe(0);
  const resolved = await waitUntil(async () => (await driftRows(h.db, h.tenant.envId)).find((r) => r.id === 1 && r.resolved));
  expect(resolved).toMatchObject({ resolutionType: 'accepted' });
  expect(resolved.metadata.resolution).toMatchObject({ by: 'command', confirmedCause: 'automated_response' });

  const after = await dg(['dlq', 'list', '--service', 'ingest'], cli);
  expect(after.stdout).not.toMatch(new RegExp(`^${letter.id}\\t`, 'm'));
});
