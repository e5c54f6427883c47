import type { Database } from '@driftguard/db';
import type { Logger } from '@driftguard/runtime/boot';
import type { Kysely } from 'kysely';
import { submitScan } from '../push/push-client.js';
import { DEMO_ACCOUNT, DEMO_REGION, demoScenario } from './demo-scenario.js';

export interface DemoTargets {
  slackWebhookUrl: string;
  pagerdutyUrl: string;
  webhookUrl: string;
  smtp: { host: string; port: number };
  webhookSecret: string;
}

export interface SeedDemoOptions {
  db: Kysely<Database>;
  masterKey: string;
  catcher: DemoTargets;
  fixturesDir: string;
  log: Logger;
  /** ingest's base URL (default http://127.0.0.1:8081, where `dg up` serves it) */
  ingestUrl?: string;
  now?: Date;
}

const ORG = 'demo';
const ENVIRONMENTS = ['production', 'staging'] as const;

/**
 * Fills the demo organization through the same paths users take: the api's functions for the
 * organization, environments, scanner tokens and channels (each with its audit row), then
 * ingest's HTTP endpoints for the context signals and scans. Run again, it makes a new
 * organization (`demo-2`, …) so every run tells its story from the start.
 */
export async function seedDemo(opts: SeedDemoOptions): Promise<{ orgSlug: string; scans: number; signals: number }> {
  const api = await import('@driftguard/api');
  const { parseKeyring } = await import('@driftguard/db');
  const { channelAdapters } = await import('@driftguard/notifier');
  const keyring = parseKeyring(opts.masterKey);
  const orgSlug = await freeOrganization(opts.db, api.createOrganization);
  const tokens: Record<string, string> = {};
  for (const env of ENVIRONMENTS) {
    await api.createEnvironment(opts.db, {
      orgSlug,
      slug: env,
      cloud: 'aws',
      region: DEMO_REGION,
      account: DEMO_ACCOUNT,
      name: env,
    });
    const created = await api.createApiToken(opts.db, {
      orgSlug,
      envSlug: env,
      role: 'scanner',
      expiresIn: '1d',
      name: `demo ${env} scanner`,
    });
    tokens[env] = created.token;
  }
  const validate = (type: keyof typeof channelAdapters) => ({
    schema: channelAdapters[type].config,
    secretFields: channelAdapters[type].secretFields,
  });
  const { catcher } = opts;
  const channels = [
    { name: 'demo-slack', type: 'slack', config: { webhookUrl: catcher.slackWebhookUrl } },
    {
      name: 'demo-pagerduty',
      type: 'pagerduty',
      config: { routingKey: 'R0DEMO00000000000000000000000000', baseUrl: catcher.pagerdutyUrl },
    },
    { name: 'demo-webhook', type: 'webhook', config: { url: catcher.webhookUrl, secrets: [catcher.webhookSecret] } },
    {
      name: 'demo-email',
      type: 'email',
      config: {
        host: catcher.smtp.host,
        port: catcher.smtp.port,
        from: 'DriftGuard demo <driftguard@demo.example>',
        to: ['oncall@demo.example'],
      },
    },
  ] as const;
  for (const c of channels) {
    await api.createChannel(opts.db, {
      orgSlug,
      name: c.name,
      type: c.type,
      isDefault: true,
      config: c.config,
      keyring,
      validate,
    });
  }

  const ingest = opts.ingestUrl ?? 'http://127.0.0.1:8081';
  const { context, scans } = demoScenario(opts.now ?? new Date(), opts.fixturesDir);
  for (const signal of context) {
    const token = tokens[signal.env] ?? '';
    const res = await fetch(`${ingest}/v1/context/${signal.source}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...signal.headers },
      body: JSON.stringify(signal.body),
    });
    if (!res.ok) throw new Error(`ingest refused the demo's ${signal.source} signal: ${res.status} ${await res.text()}`);
  }
  // Signals are correlated as they arrive; a moment later the scans find the drifts they explain.
  await new Promise((r) => setTimeout(r, 1_000));
  for (const scan of scans) {
    const token = tokens[scan.env] ?? '';
    await submitScan({ url: ingest, token }, Buffer.from(scan.body), { format: scan.format, full: false, scanner: scan.scanner });
  }
  opts.log.info({ orgSlug, scans: scans.length, signals: context.length }, 'demo organization filled');
  return { orgSlug, scans: scans.length, signals: context.length };
}

/** `demo`, or `demo-2`, `demo-3`… when an earlier run made it. */
async function freeOrganization(
  db: Kysely<Database>,
  create: (db: Kysely<Database>, input: { slug: string; name?: string }) => Promise<{ slug: string }>,
): Promise<string> {
  for (let n = 1; ; n++) {
    const slug = n === 1 ? ORG : `${ORG}-${n}`;
    try {
      return (await create(db, { slug, name: 'DriftGuard demo' })).slug;
    } catch (err) {
      if (!(err instanceof Error) || err.name !== 'ConflictError' || n > 50) throw err;
    }
  }
}
