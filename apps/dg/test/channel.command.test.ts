import { randomBytes } from 'node:crypto';
import { createEnvironment, createOrganization } from '@driftguard/api';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startPagerDutyPeer,
  startSlackPeer,
  type PagerDutyPeer,
  type SlackPeer,
} from '../../../services/notifier/test/peers/index.js';
import { runDg } from './support/run-dg.js';

let testDb: TestDatabase;
let slack: SlackPeer;
let pagerduty: PagerDutyPeer;
const masterKey = `k1:${randomBytes(32).toString('base64')}`;

beforeAll(async () => {
  testDb = await createTestDatabase('cli_channel');
  await createOrganization(testDb.db, { slug: 'acme' });
  await createEnvironment(testDb.db, { orgSlug: 'acme', slug: 'prod', cloud: 'aws' });
  slack = await startSlackPeer();
  pagerduty = await startPagerDutyPeer();
});
afterAll(async () => {
  await slack?.close();
  await pagerduty?.close();
  await testDb?.destroy();
});

const dg = (args: string[], env: Record<string, string> = {}) =>
  runDg(args, {
    DATABASE_URL: testDb.url,
    LOG_LEVEL: 'silent',
    DG_MASTER_KEY: masterKey,
    DG_OUTBOUND_ALLOW: '127.0.0.1',
    ...env,
  });

describe('dg channel and dg route', () => {
  it('stores a channel’s secret fields encrypted, never prints them, and sends a test through the adapter', async () => {
    const config = JSON.stringify({ routingKey: pagerduty.routingKey, baseUrl: pagerduty.baseUrl });
    const added = await dg(
      ['channel', 'add', 'acme', '--type', 'pagerduty', '--name', 'on-call', '--config-env', 'PD', '--default'],
      { PD: config },
    );
    expect(added.code).toBe(0);
    const stored = await testDb.db
      .selectFrom('notification_channels')
      .selectAll()
      .where('name', '=', 'on-call')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.configuration)).not.toContain(pagerduty.routingKey);
    expect(stored.is_default).toBe(true);
    const audit = await testDb.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'notification_channel.created')
      .execute();
    expect(JSON.stringify(audit)).not.toContain(pagerduty.routingKey);

    const listed = await dg(['channel', 'list', 'acme']);
    expect(listed.stdout).toContain('on-call\tpagerduty\ttrue\ttrue');
    expect(listed.stdout).toContain('"routingKey":"(secret)"');
    expect(listed.stdout + listed.stderr + added.stdout + added.stderr).not.toContain(pagerduty.routingKey);

    const tested = await dg(['channel', 'test', 'acme', 'on-call']);
    expect(tested.stdout).toContain('delivered');
    expect(tested.code).toBe(0);
    // The adapter triggers a test alert and resolves it at once, so nobody is left paged.
    const alerts = [...pagerduty.alerts.values()];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.status).toBe('resolved');
  });

  it('refuses a configuration the adapter’s schema rejects, naming the field', async () => {
    const res = await dg(['channel', 'add', 'acme', '--type', 'pagerduty', '--name', 'bad', '--config-env', 'PD'], {
      PD: JSON.stringify({ routingKey: 'short' }),
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('routingKey');
  });

  it('reports a test the provider refuses as a configuration error', async () => {
    await dg(['channel', 'add', 'acme', '--type', 'slack', '--name', 'drifts', '--config-env', 'S'], {
      S: JSON.stringify({ webhookUrl: slack.webhookUrl }),
    });
    slack.script(slack.answers.invalidPayload());
    const res = await dg(['channel', 'test', 'acme', 'drifts']);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('invalid_payload');
    expect(res.stderr).toContain('configuration error');
    expect(res.stdout + res.stderr).not.toContain(new URL(slack.webhookUrl).pathname);
  });

  it('adds ordered routing rules with their conditions and lists them in order; removing a channel deactivates its rules', async () => {
    const first = await dg([
      'route',
      'add',
      'acme',
      '--channel',
      'on-call',
      '--min-priority',
      'critical',
      '--security-critical',
      '--continue',
    ]);
    expect(first.code).toBe(0);
    const second = await dg([
      'route',
      'add',
      'acme',
      '--channel',
      'drifts',
      '--env',
      'prod',
      '--resource-type',
      'aws_s3_*',
      '--cause',
      'emergency_fix',
      '--position',
      '5',
    ]);
    expect(second.code).toBe(0);
    const bad = await dg(['route', 'add', 'acme', '--channel', 'drifts', '--cause', 'sunspots']);
    expect(bad.code).toBe(2);
    const list = await dg(['route', 'list', 'acme']);
    const lines = list.stdout.trim().split('\n').slice(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('drifts\tprod\tlow\t{"resourceTypes":["aws_s3_*"],"causes":["emergency_fix"]}\tfalse\ttrue');
    expect(lines[1]).toContain('on-call\t*\tcritical\t{"securityCritical":true}\ttrue\ttrue');
    expect((await dg(['channel', 'remove', 'acme', 'drifts'])).code).toBe(0);
    const after = await dg(['route', 'list', 'acme']);
    expect(after.stdout).toMatch(/drifts\tprod.*\tfalse\tfalse/);
  });
});
