import type { Alert, AlertItem } from './channel.js';
import {
  actionLabel,
  causeLine,
  evidenceLines,
  plainText,
  priorityWord,
  recommendationLines,
  resourceLabel,
  TEST_MESSAGE,
  topChanges,
} from './alert-text.js';

/**
 * Slack's Block Kit limits (docs.slack.dev/reference/block-kit/blocks): an over-limit block
 * rejects the whole message, so messages are cut to fit here. `blockTextBudget` stays under the
 * ~13.2k characters of block text at which Slack was seen answering `msg_blocks_too_long`.
 */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  messageText: 40_000,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  blockTextBudget: 12_000,
} as const;

/**
 * The interactive buttons. ingest's Slack interactions endpoint reads the same action ids and
 * values (services/ingest/src/interactions/slack-actions.ts): keep both in step.
 */
export const SLACK_ACTION = {
  acknowledge: 'dg.acknowledge',
  accept: 'dg.accept_recommendation',
  silence: 'dg.silence_24h',
} as const;

export type SlackBlock = Record<string, unknown>;
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** `&`, `<` and `>` are control characters in Slack's mrkdwn and must be escaped (docs: formatting text). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function link(url: string, text: string): string {
  if (url.length > SLACK_LIMITS.url || /[<>|\s]/.test(url)) return escapeMrkdwn(text);
  return `<${url}|${escapeMrkdwn(text).replace(/\|/g, '¦')}>`;
}

/** Text cut to `max` characters, saying how much was left out. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = (n: number) => `… (${n} characters left out)`;
  let keep = max - note(text.length).length;
  keep = Math.max(0, keep);
  return `${text.slice(0, keep)}${note(text.length - keep)}`;
}

const section = (text: string): SlackBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, SLACK_LIMITS.sectionText) },
});
const context = (text: string): SlackBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(text, SLACK_LIMITS.sectionText) }],
});
const header = (text: string): SlackBlock => ({
  type: 'header',
  text: { type: 'plain_text', text: clip(text, SLACK_LIMITS.headerText), emoji: true },
});

function button(text: string, actionId: string, value: object, style?: 'primary' | 'danger'): SlackBlock {
  return {
    type: 'button',
    text: { type: 'plain_text', text: clip(text, SLACK_LIMITS.buttonText) },
    action_id: actionId,
    value: JSON.stringify(value),
    ...(style ? { style } : {}),
  };
}

/** The blocks of one drift: what changed, the cause and its evidence, the recommendation, the buttons. */
function itemBlocks(alert: Alert, item: AlertItem): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  const security = item.isSecurityCritical ? ' :lock: security-critical' : '';
  const resolved = item.resolvedAt ? ' :white_check_mark: resolved' : '';
  const { lines, omitted } = topChanges(item, 5);
  const changeText = lines.map(
    (c) =>
      `${c.securityCritical ? ':lock: ' : '• '}\`${escapeMrkdwn(c.path)}\`: declared \`${escapeMrkdwn(c.declared)}\` → actual \`${escapeMrkdwn(c.actual)}\``,
  );
  if (omitted > 0) changeText.push(`_… ${omitted} more changed properties_`);
  blocks.push(
    section(
      [
        `*${priorityWord(item.priority)}* ${link(item.consoleUrl, resourceLabel(item))} — ${item.drift.driftType}${security}${resolved}`,
        ...changeText,
      ].join('\n'),
    ),
  );
  const cause = causeLine(item);
  const evidence = evidenceLines(item, 4);
  if (cause || evidence.length > 0) {
    const lines2 = cause ? [`*Cause:* ${escapeMrkdwn(cause)}`] : [];
    for (const e of evidence) lines2.push(`• ${e.link ? link(e.link, e.text) : escapeMrkdwn(e.text)}`);
    blocks.push(section(lines2.join('\n')));
  }
  const rec = recommendationLines(item, 3);
  if (rec) blocks.push(section([`*Recommendation:* ${escapeMrkdwn(rec.headline)}`, ...rec.steps.map(escapeMrkdwn)].join('\n')));
  if (alert.action !== 'resolve' && !item.resolvedAt) {
    const ids = { driftEventId: item.driftEventId, notificationId: alert.notificationId };
    const elements = [button('Acknowledge', SLACK_ACTION.acknowledge, ids, 'primary')];
    if (item.recommendation)
      elements.push(
        button('Accept recommendation', SLACK_ACTION.accept, {
          recommendationId: item.recommendation.id,
          driftEventId: item.driftEventId,
        }),
      );
    elements.push(button('Silence 24 h', SLACK_ACTION.silence, ids, 'danger'));
    blocks.push({ type: 'actions', block_id: `drift:${item.driftEventId}`, elements });
  }
  return blocks;
}

/** Characters of text a block holds (what Slack's overall size check counts). */
function textSize(block: SlackBlock): number {
  return JSON.stringify(block).length;
}

/**
 * The Block Kit message of an alert: a header (severity, environment, resource), per drift the
 * top changed properties (declared → actual, security-critical marked), the cause with its
 * evidence, the recommendation's first steps and buttons, then a link to the console. Drifts are
 * added, most severe first, while every Slack limit holds; the last block says how many were left out.
 */
export function slackMessage(alert: Alert): SlackMessage {
  const text = clip(plainText(alert), SLACK_LIMITS.messageText);
  if (alert.action === 'test') {
    return {
      text,
      blocks: [
        header(TEST_MESSAGE),
        section(
          `This channel is set up for *${escapeMrkdwn(alert.environment.name)}*. ${link(alert.consoleUrl, 'Open DriftGuard')}`,
        ),
      ],
    };
  }
  const blocks: SlackBlock[] = [
    header(`${actionLabel(alert)}${alert.title}`),
    context(
      [
        `*${priorityWord(alert.priority)}*`,
        `environment *${escapeMrkdwn(alert.environment.name)}*${alert.environment.production ? ' (production)' : ''}`,
        `${alert.total} drift${alert.total === 1 ? '' : 's'}`,
        `<!date^${Math.floor(alert.occurredAt.getTime() / 1000)}^{date_short_pretty} {time}|${alert.occurredAt.toISOString()}>`,
      ].join('  ·  '),
    ),
  ];
  let size = blocks.reduce((n, b) => n + textSize(b), 0);
  // Room for the closing divider and block; a divider also precedes each drift.
  const footerRoom = 2;
  const footerSize = 400;
  let shown = 0;
  for (const item of alert.items) {
    const more = [{ type: 'divider' }, ...itemBlocks(alert, item)];
    const moreSize = more.reduce((n, b) => n + textSize(b), 0);
    if (blocks.length + more.length + footerRoom > SLACK_LIMITS.blocks) break;
    if (size + moreSize + footerSize > SLACK_LIMITS.blockTextBudget) break;
    blocks.push(...more);
    size += moreSize;
    shown += 1;
  }
  const left = alert.total - shown;
  blocks.push({ type: 'divider' } satisfies SlackBlock);
  blocks.push(
    left > 0
      ? section(
          `_${left} more drift${left === 1 ? '' : 's'} not shown here._ ${link(alert.consoleUrl, 'Open all in DriftGuard')}`,
        )
      : context(link(alert.consoleUrl, 'Open in DriftGuard')),
  );
  return { text, blocks };
}
