import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES } from '../service-catalog.js';
import { type CliCommand, writeLine } from '../cli-context.js';
import { runServices } from '../service-runner.js';
import { startCatcher, type Catcher } from '../demo/catcher.js';
import { seedDemo } from '../demo/demo-seed.js';

interface DemoOptions {
  catcherPort: string;
  smtpPort: string;
}

const FIXTURES = fileURLToPath(new URL('../../../../testdata/fixtures', import.meta.url));

/**
 * `dg demo`: `dg up`, plus a catcher standing in for Slack, PagerDuty, a webhook receiver and an
 * SMTP server on this machine, and a demo organization with two environments, channels pointing
 * at the catcher, context signals and scans in every format. Within a minute the drifts are
 * analysed, recommended and notified; the catcher's page shows what would have been sent.
 */
export const demoCommand: CliCommand = {
  register(program, ctx) {
    program
      .command('demo')
      .description('dg up with a demo organization, its scans and signals, and a page showing the alerts it would send')
      .option('--catcher-port <port>', 'port of the page showing the caught messages', '8090')
      .option('--smtp-port <port>', 'port of the catcher SMTP server', '2525')
      .action(async (opts: DemoOptions) => {
        const catcher = await startCatcher({ httpPort: Number(opts.catcherPort), smtpPort: Number(opts.smtpPort) });
        const allow = [ctx.env['DG_OUTBOUND_ALLOW'], '127.0.0.1'].filter(Boolean).join(',');
        const env = {
          ...ctx.env,
          // The catcher is on loopback, which DriftGuard otherwise refuses to reach.
          DG_OUTBOUND_ALLOW: allow,
          DG_NOTIFIER_GROUP_WAIT_MS: ctx.env['DG_NOTIFIER_GROUP_WAIT_MS'] ?? '10000',
        };
        ctx.proc.once('exit', () => void catcher.close());
        await runServices({ ...ctx, env }, SERVICE_NAMES, {
          allInOne: true,
          onUp: async ({ db, masterKey, log, ingestUrl }) => {
            if (!masterKey) throw new Error('dg demo needs DG_MASTER_KEY (or the embedded database, which keeps its own)');
            const seeded = await seedDemo({
              db,
              masterKey,
              catcher: channelTargets(catcher),
              fixturesDir: FIXTURES,
              log,
              ingestUrl,
            });
            writeLine(
              ctx.stderr,
              `demo organization "${seeded.orgSlug}": ${seeded.scans} scans and ${seeded.signals} signals submitted`,
            );
            writeLine(ctx.stderr, `what DriftGuard would have sent: ${catcher.url}`);
          },
        });
      });
  },
};

function channelTargets(catcher: Catcher) {
  return {
    slackWebhookUrl: catcher.slackWebhookUrl,
    pagerdutyUrl: catcher.pagerdutyUrl,
    webhookUrl: catcher.webhookUrl,
    smtp: catcher.smtp,
    webhookSecret: `whsec_${randomBytes(32).toString('base64')}`,
  };
}
