import { randomBytes } from 'node:crypto';
import { jsonOf, startHttpPeer, type HttpPeer, type PeerAnswer, type PeerVerdict } from './http-peer.js';

/**
 * Slack as DriftGuard uses it: an incoming webhook (`POST /services/T…/B…/…`, answers `ok` or
 * 400 with a bare error code) and the Web API's chat.postMessage and chat.update (bearer token,
 * answers 200 `{ok, channel, ts}` or 200 `{ok:false, error}`). Block Kit limits are enforced as
 * Slack does: an over-limit block rejects the whole message (`invalid_blocks`).
 */

/** Block Kit limits (docs.slack.dev/reference/block-kit/blocks). */
const LIMITS = {
  blocks: 50,
  blockId: 255,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  url: 3000,
  messageText: 40_000,
};

export interface SlackMessageRecord {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  edits: number;
}

export interface SlackPeer extends HttpPeer {
  /** an incoming webhook URL the peer accepts */
  webhookUrl: string;
  /** the Web API base (`…/api`) with the bot token and channel it accepts */
  apiBaseUrl: string;
  botToken: string;
  channel: string;
  /** messages posted through the Web API by ts, as last edited */
  messages: Map<string, SlackMessageRecord>;
  /** answers Slack gives, for `script` */
  answers: typeof SLACK_ANSWERS;
}

export const SLACK_ANSWERS = {
  rateLimited: (retryAfterSeconds: number): PeerAnswer => ({
    status: 429,
    body: 'rate_limited',
    headers: { 'retry-after': String(retryAfterSeconds) },
  }),
  apiRateLimited: (retryAfterSeconds: number): PeerAnswer => ({
    status: 200,
    body: { ok: false, error: 'ratelimited' },
    headers: { 'retry-after': String(retryAfterSeconds) },
  }),
  serverError: (): PeerAnswer => ({ status: 500, body: 'rollup_error' }),
  invalidPayload: (): PeerAnswer => ({ status: 400, body: 'invalid_payload' }),
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string | undefined => (isObject(v) && typeof v['text'] === 'string' ? v['text'] : undefined);
const tooLong = (s: unknown, max: number) => typeof s === 'string' && s.length > max;

/** Why Slack would refuse these blocks, or undefined. */
export function blockKitProblem(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > LIMITS.blocks) return `${blocks.length} blocks, more than ${LIMITS.blocks}`;
  for (const [i, block] of blocks.entries()) {
    if (!isObject(block)) return `block ${i} is not an object`;
    if (tooLong(block['block_id'], LIMITS.blockId)) return `block ${i}: block_id over ${LIMITS.blockId}`;
    switch (block['type']) {
      case 'divider':
        break;
      case 'header': {
        const t = block['text'];
        if (!isObject(t) || t['type'] !== 'plain_text' || typeof t['text'] !== 'string' || t['text'] === '')
          return `block ${i}: header text must be plain_text`;
        if (t['text'].length > LIMITS.headerText) return `block ${i}: header text over ${LIMITS.headerText}`;
        break;
      }
      case 'section': {
        const t = textOf(block['text']);
        const fields = block['fields'];
        if (t === undefined && !Array.isArray(fields)) return `block ${i}: section needs text or fields`;
        if (t !== undefined && (t.length === 0 || t.length > LIMITS.sectionText))
          return `block ${i}: section text must be 1-${LIMITS.sectionText}`;
        if (Array.isArray(fields)) {
          if (fields.length > LIMITS.fields) return `block ${i}: more than ${LIMITS.fields} fields`;
          if (fields.some((f) => (textOf(f)?.length ?? Infinity) > LIMITS.fieldText))
            return `block ${i}: field over ${LIMITS.fieldText}`;
        }
        break;
      }
      case 'context': {
        const els = block['elements'];
        if (!Array.isArray(els) || els.length === 0 || els.length > LIMITS.contextElements)
          return `block ${i}: context needs 1-${LIMITS.contextElements} elements`;
        if (els.some((e) => (textOf(e)?.length ?? 0) > LIMITS.sectionText))
          return `block ${i}: context text over ${LIMITS.sectionText}`;
        break;
      }
      case 'actions': {
        const els = block['elements'];
        if (!Array.isArray(els) || els.length === 0 || els.length > LIMITS.actionsElements)
          return `block ${i}: actions needs 1-${LIMITS.actionsElements} elements`;
        const ids = new Set<string>();
        for (const el of els) {
          if (!isObject(el) || el['type'] !== 'button') return `block ${i}: only buttons are expected`;
          const label = textOf(el['text']);
          if (label === undefined || label.length === 0 || label.length > LIMITS.buttonText)
            return `block ${i}: button text must be 1-${LIMITS.buttonText}`;
          const id = el['action_id'];
          if (typeof id !== 'string' || id.length === 0 || id.length > LIMITS.actionId) return `block ${i}: bad action_id`;
          if (ids.has(id)) return `block ${i}: action_id ${id} repeated in one block`;
          ids.add(id);
          if (tooLong(el['value'], LIMITS.buttonValue)) return `block ${i}: button value over ${LIMITS.buttonValue}`;
          if (tooLong(el['url'], LIMITS.url)) return `block ${i}: button url over ${LIMITS.url}`;
          if (el['style'] !== undefined && el['style'] !== 'primary' && el['style'] !== 'danger')
            return `block ${i}: bad button style`;
        }
        break;
      }
      default:
        return `block ${i}: unexpected type ${String(block['type'])}`;
    }
  }
  return undefined;
}

/** The error code Slack gives a message body, or undefined when it would post it. */
function messageProblem(body: Record<string, unknown>): { error: string; detail?: string } | undefined {
  const text = body['text'];
  const blocks = body['blocks'];
  if ((typeof text !== 'string' || text === '') && blocks === undefined) return { error: 'no_text' };
  if (typeof text === 'string' && text.length > LIMITS.messageText) return { error: 'msg_too_long' };
  if (blocks !== undefined) {
    const problem = blockKitProblem(blocks);
    if (problem) return { error: 'invalid_blocks', detail: problem };
  }
  return undefined;
}

export async function startSlackPeer(options: { port?: number; botToken?: string } = {}): Promise<SlackPeer> {
  const webhookPath = `/services/T0PEER0001/B0PEER0001/${randomBytes(12).toString('hex')}`;
  const botToken = options.botToken ?? `xoxb-1000-2000-${randomBytes(12).toString('hex')}`;
  const channel = 'C0DRIFTS01';
  const messages = new Map<string, SlackMessageRecord>();
  let clock = 1_700_000_000;

  const api = (error: string, extra: object = {}): PeerVerdict => ({
    accepted: false,
    answer: { status: 200, body: { ok: false, error, ...extra } },
  });

  const peer = await startHttpPeer(options.port ?? 0, (req): PeerVerdict => {
    if (req.method !== 'POST') return { accepted: false, answer: { status: 405, body: 'method_not_allowed' } };
    if (req.path.startsWith('/services/')) {
      if (req.path !== webhookPath) return { accepted: false, answer: { status: 404, body: 'no_service' } };
      const body = jsonOf(req.body);
      if (!isObject(body)) return { accepted: false, answer: { status: 400, body: 'invalid_payload' } };
      // App webhooks cannot choose where or as whom they post.
      if (body['channel'] !== undefined || body['username'] !== undefined)
        return { accepted: false, answer: { status: 400, body: 'invalid_payload' } };
      const problem = messageProblem(body);
      if (problem) return { accepted: false, answer: { status: 400, body: problem.error } };
      return { accepted: true, answer: { status: 200, body: 'ok' } };
    }
    const method = /^\/api\/(chat\.postMessage|chat\.update)$/.exec(req.path)?.[1];
    if (!method) return { accepted: false, answer: { status: 404, body: { ok: false, error: 'unknown_method' } } };
    const auth = req.headers.authorization;
    if (auth === undefined) return api('not_authed');
    if (auth !== `Bearer ${botToken}`) return api('invalid_auth');
    if (!String(req.headers['content-type']).startsWith('application/json')) return api('invalid_arguments');
    const body = jsonOf(req.body);
    if (!isObject(body)) return api('invalid_json');
    if (body['channel'] !== channel) return api('channel_not_found');
    const problem = messageProblem(body);
    if (problem) return api(problem.error, problem.detail ? { response_metadata: { messages: [problem.detail] } } : {});
    const text = typeof body['text'] === 'string' ? body['text'] : '';
    const blocks = Array.isArray(body['blocks']) ? body['blocks'] : [];
    if (method === 'chat.update') {
      const ts = body['ts'];
      const existing = typeof ts === 'string' ? messages.get(ts) : undefined;
      if (!existing) return api('message_not_found');
      return {
        accepted: true,
        answer: { status: 200, body: { ok: true, channel, ts: existing.ts, text } },
        commit: () => messages.set(existing.ts, { ...existing, text, blocks, edits: existing.edits + 1 }),
      };
    }
    const ts = `${clock++}.000100`;
    return {
      accepted: true,
      answer: { status: 200, body: { ok: true, channel, ts, message: { text, ts } } },
      commit: () => messages.set(ts, { channel, ts, text, blocks, edits: 0 }),
    };
  });
  return {
    ...peer,
    webhookUrl: `${peer.url}${webhookPath}`,
    apiBaseUrl: `${peer.url}/api`,
    botToken,
    channel,
    messages,
    answers: SLACK_ANSWERS,
  };
}
