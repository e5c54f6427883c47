import { type CliCommand } from '../cli-context.js';
import { SERVICE_NAMES } from '../service-catalog.js';
import { runServices } from '../service-runner.js';

const DESCRIPTIONS: Record<(typeof SERVICE_NAMES)[number], string> = {
  api: 'control plane and query API (port 8080)',
  ingest: 'scans and integration webhooks (port 8081)',
  analysis: 'correlation, risk and cause analysis (port 8082)',
  recommender: 'remediation recommendations (port 8083)',
  notifier: 'Slack, PagerDuty, webhook and email delivery (port 8084)',
};

/** `dg up` (every service in one process) and `dg <service>` (one, in the foreground). */
export const servicesCommand: CliCommand = {
  register(program, ctx) {
    program
      .command('up')
      .description('run every service in this process on the usual ports; embedded PostgreSQL in ./.dg-data without DATABASE_URL')
      .action(() => runServices(ctx, SERVICE_NAMES, { allInOne: true }));
    for (const name of SERVICE_NAMES) {
      program
        .command(name)
        .description(`run the ${name} service in the foreground: ${DESCRIPTIONS[name]}; DATABASE_URL, NATS_URL, PORT`)
        .action(() => runServices(ctx, [name], { allInOne: false }));
    }
  },
};
