import { CauseCategory, Priority, RecommendationType, RoutingMatch } from '@driftguard/contracts';
import { InvalidArgumentError, Option } from 'commander';
import { type CliCommand, writeLine } from '../cli-context.js';
import { withDatabase } from '../cli-database.js';
import { UsageError } from '../cli-errors.js';
import { parseTarget } from './target.js';

interface RouteAddOptions {
  channel: string;
  name?: string;
  env?: string;
  minPriority: Priority;
  minSeverity?: number;
  resourceType?: string[];
  securityCritical?: boolean;
  cause?: string[];
  recommendationType?: string[];
  continue?: boolean;
  position?: number;
}

function collect(value: string, previous: unknown): string[] {
  return [...(Array.isArray(previous) ? previous.filter((p): p is string => typeof p === 'string') : []), value];
}

function score(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a score between 0 and 1');
  return n;
}

/** The rule's conditions, or a usage error naming each bad one (an unknown cause or recommendation type). */
function matchOf(input: unknown): RoutingMatch {
  const parsed = RoutingMatch.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
}

function position(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

/**
 * `dg route add <org> --channel N [--env E] [--min-priority P] [--min-severity S] [--resource-type T]…
 * [--security-critical] [--cause C]… [--recommendation-type R]… [--continue] [--position N]` and
 * `dg route list <org>`: routing rules, tried in order; the first match stops unless `--continue`;
 * what none takes goes to the default channels.
 */
export const routeCommand: CliCommand = {
  register(program, ctx) {
    const route = program.command('route').description('routing rules: which drifts go to which channel');
    route
      .command('add')
      .description('add a routing rule (after the last one unless --position)')
      .argument('<org>', 'organization slug')
      .requiredOption('--channel <name>', 'channel the matching drifts go to')
      .option('--name <name>', 'rule name')
      .option('--env <env>', 'only drifts of this environment (slug)')
      .addOption(new Option('--min-priority <priority>', 'lowest priority taken').choices(Priority.options).default('low'))
      .option('--min-severity <score>', 'lowest severity score taken (0–1)', score)
      .option('--resource-type <type>', 'resource type (repeatable; `prefix*` matches a prefix)', collect)
      .option('--security-critical', 'only security-critical drifts')
      .option('--cause <cause>', `probable cause (repeatable): ${CauseCategory.options.join(', ')}`, collect)
      .option(
        '--recommendation-type <type>',
        `recommendation type (repeatable): ${RecommendationType.options.join(', ')}`,
        collect,
      )
      .option('--continue', 'keep trying the rules after this one')
      .option('--position <n>', 'place in the order (lower first)', position)
      .action(async (org: string, opts: RouteAddOptions) => {
        const { createRoute } = await import('@driftguard/api');
        const created = await withDatabase(ctx, (db) =>
          createRoute(db, {
            orgSlug: parseTarget(org, false).org,
            channel: opts.channel,
            ...(opts.name ? { name: opts.name } : {}),
            ...(opts.env ? { envSlug: opts.env } : {}),
            minPriority: opts.minPriority,
            match: matchOf({
              ...(opts.minSeverity !== undefined ? { minSeverity: opts.minSeverity } : {}),
              ...(opts.resourceType ? { resourceTypes: opts.resourceType } : {}),
              ...(opts.securityCritical ? { securityCritical: true } : {}),
              ...(opts.cause ? { causes: opts.cause } : {}),
              ...(opts.recommendationType ? { recommendationTypes: opts.recommendationType } : {}),
            }),
            continue: opts.continue ?? false,
            ...(opts.position !== undefined ? { position: opts.position } : {}),
          }),
        );
        writeLine(ctx.stdout, String(created.id));
      });
    route
      .command('list')
      .description('list the routing rules of an organization in the order they are tried')
      .argument('<org>', 'organization slug')
      .action(async (org: string) => {
        const { listRoutes } = await import('@driftguard/api');
        const routes = await withDatabase(ctx, (db) => listRoutes(db, parseTarget(org, false).org));
        writeLine(
          ctx.stdout,
          ['id', 'position', 'name', 'channel', 'env', 'min-priority', 'match', 'continue', 'active'].join('\t'),
        );
        for (const r of routes)
          writeLine(
            ctx.stdout,
            [
              r.id,
              r.position,
              r.name,
              r.channel,
              r.envSlug ?? '*',
              r.minPriority,
              JSON.stringify(r.match),
              r.continue,
              r.isActive,
            ].join('\t'),
          );
      });
  },
};
