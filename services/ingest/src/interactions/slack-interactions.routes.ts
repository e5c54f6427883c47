import { enterOrg, type Database, type Keyring } from '@driftguard/db';
import { InvalidInputError, parseJsonText, problemResponses, ProblemError, type HttpApp } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { SlackBlockActions, SlackInteraction, slackCommands } from './slack-actions.js';
import { publishSlackCommands } from './slack-interactions.intake.js';
import { findIntegrationSigner } from '../context/integrations.queries.js';
import { checkSlackSignature } from './slack-signature.js';

export interface SlackInteractionRoutesOptions {
  db: Kysely<Database>;
  /** Decrypts signing secrets; without it every interaction is refused. */
  keyring?: Keyring | undefined;
  /** First subject token of published commands. */
  subjectRoot: string;
}

/** Slack's interaction payloads are small form posts; a megabyte is far above any. */
const MAX_INTERACTION_BYTES = 1024 * 1024;

const SlackInteractionQuery = z.object({
  /** the `slack` integration holding the app's signing secret (`dg integration add --source slack`) */
  integration: z.uuid(),
});

const SlackInteractionAccepted = z.object({
  status: z.enum(['accepted', 'ignored']),
  /** commands published now */
  published: z.number().int().nonnegative(),
  /** commands of a press delivered before: not published again */
  duplicates: z.number().int().nonnegative(),
  /** actions that are not DriftGuard's buttons or whose value does not read */
  skipped: z.number().int().nonnegative(),
});

const unauthenticated = (code: string, detail: string) =>
  new ProblemError(401, code, detail, { title: 'Unauthenticated interaction' });

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * `POST /v1/interactions/slack?integration=<id>`: the Request URL of the Slack app's
 * interactivity. The form body (`payload=<json>`) is read raw, its `X-Slack-Signature` checked
 * with the integration's signing secret and its timestamp within five minutes; each button press
 * becomes the command the API would publish (acknowledge, accept the recommendation, silence the
 * drift for 24 h), through the outbox, and Slack gets its 200 at once.
 */
/**
 * A field of a form body, decoded strictly: a value whose percent-escapes are not UTF-8 is refused
 * (URLSearchParams would turn them into U+FFFD and let them through).
 */
function formField(raw: Buffer, name: string): string | null {
  for (const pair of raw.toString('latin1').split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key !== name) continue;
    try {
      return decodeURIComponent(pair.slice(eq + 1).replaceAll('+', ' '));
    } catch {
      throw new InvalidInputError(`the ${name} field is not UTF-8 text`, [{ path: name, message: 'not UTF-8 text' }], {
        code: 'invalid_encoding',
      });
    }
  }
  return null;
}

export async function slackInteractionRoutes(app: HttpApp, opts: SlackInteractionRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit: MAX_INTERACTION_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.post(
    '/v1/interactions/slack',
    {
      bodyLimit: MAX_INTERACTION_BYTES,
      schema: {
        summary: 'Slack interactivity: DriftGuard message buttons (acknowledge, accept the recommendation, silence for 24 h)',
        description:
          'Signed by Slack (`X-Slack-Signature` v0 with the app signing secret of the `slack` integration, `X-Slack-Request-Timestamp` within 5 minutes). ' +
          'Each press is published as cmd.notification.acknowledge.v1, cmd.recommendation.respond.v1 or cmd.silence.create.v1.',
        security: [{}],
        querystring: SlackInteractionQuery,
        binaryBody: {
          description: 'Slack’s form body: `payload=<interaction JSON>`',
          mediaTypes: ['application/x-www-form-urlencoded'],
        },
        response: { 200: SlackInteractionAccepted, ...problemResponses(400, 401) },
      },
    },
    async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const timestamp = header(req.headers['x-slack-request-timestamp']);
      const signature = header(req.headers['x-slack-signature']);
      if (signature === undefined || timestamp === undefined)
        throw unauthenticated(
          'missing_signature',
          'a Slack interaction needs the X-Slack-Signature and X-Slack-Request-Timestamp headers',
        );
      // An unknown integration and a wrong signature answer alike: ids are not confirmed to guessers.
      const signer = opts.keyring ? await findIntegrationSigner(opts.db, opts.keyring, req.query.integration) : undefined;
      const integration = signer?.source === 'slack' ? signer : undefined;
      const check = integration ? checkSlackSignature(integration.secret, timestamp, signature, raw) : 'mismatch';
      if (check === 'stale')
        throw unauthenticated(
          'stale_timestamp',
          'X-Slack-Request-Timestamp is more than 5 minutes from now; the request may be a replay',
        );
      if (check !== 'valid' || !integration)
        throw unauthenticated('invalid_signature', `the X-Slack-Signature does not match integration ${req.query.integration}`);

      const payloadText = formField(raw, 'payload');
      if (payloadText === null)
        throw new InvalidInputError('the form has no payload field', [{ path: 'payload', message: 'required' }]);
      const json = parseJsonText(payloadText, 'payload');
      const interaction = SlackInteraction.safeParse(json);
      if (!interaction.success)
        throw new InvalidInputError(
          'payload is not a Slack interaction',
          interaction.error.issues.map((i) => ({ path: `payload.${i.path.join('.')}`, message: i.message })),
        );
      const actions = SlackBlockActions.safeParse(interaction.data);
      if (!actions.success) return reply.code(200).send({ status: 'ignored', published: 0, duplicates: 0, skipped: 0 });

      const now = new Date();
      const commands = slackCommands(actions.data, now);
      enterOrg(integration.orgId);
      const result = await publishSlackCommands(opts.db, {
        orgId: integration.orgId,
        envId: integration.envId,
        commands,
        subjectRoot: opts.subjectRoot,
        now,
      });
      return reply.code(200).send({
        status: commands.length === 0 ? 'ignored' : 'accepted',
        published: result.published,
        duplicates: result.duplicates,
        skipped: actions.data.actions.length - commands.length,
      });
    },
  );
}
Object.defineProperty(slackInteractionRoutes, Symbol.for('fastify.display-name'), { value: 'ingest-slack-interaction-routes' });
