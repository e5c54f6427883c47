import type { CliCommand } from '../cli-context.js';
import { channelCommand } from './channel.command.js';
import { dlqCommand } from './dlq.command.js';
import { envCommand } from './env.command.js';
import { integrationCommand } from './integration.command.js';
import { jobsCommand } from './jobs.command.js';
import { migrateCommand } from './migrate.command.js';
import { mlCommand } from './ml.command.js';
import { orgCommand } from './org.command.js';
import { policyCommand } from './policy.command.js';
import { pushCommand } from './push.command.js';
import { repoCommand } from './repo.command.js';
import { routeCommand } from './route.command.js';
import { seedCommand } from './seed.command.js';
import { servicesCommand } from './services.command.js';
import { tokenCommand } from './token.command.js';
import { userCommand } from './user.command.js';

/**
 * Every command group of `dg`, in the order `dg --help` lists them. To add one, write
 * `commands/<group>.command.ts` exporting a `CliCommand` and list it here.
 */
export const commands: readonly CliCommand[] = [
  servicesCommand,
  migrateCommand,
  orgCommand,
  envCommand,
  tokenCommand,
  userCommand,
  repoCommand,
  integrationCommand,
  channelCommand,
  routeCommand,
  pushCommand,
  dlqCommand,
  mlCommand,
  jobsCommand,
  seedCommand,
  policyCommand,
];
