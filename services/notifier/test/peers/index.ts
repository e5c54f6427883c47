/**
 * Local stand-ins for the providers notifications go to. Each checks requests the way the
 * provider documents and records what it received:
 * `const slack = await startSlackPeer(); … slack.received; slack.script(slack.answers.rateLimited(7)); await slack.close();`
 */
export { startHttpPeer, type HttpPeer, type PeerAnswer, type PeerRequest } from './http-peer.js';
export { startSlackPeer, blockKitProblem, SLACK_ANSWERS, type SlackPeer, type SlackMessageRecord } from './slack.peer.js';
export {
  startPagerDutyPeer,
  PAGERDUTY_ANSWERS,
  type PagerDutyPeer,
  type PagerDutyAlert,
  type PagerDutyEvent,
} from './pagerduty.peer.js';
export { startWebhookPeer, newWebhookSecret, WEBHOOK_ANSWERS, type WebhookPeer, type WebhookDelivery } from './webhook.peer.js';
export { startSmtpPeer, type SmtpPeer, type ReceivedMail, type SmtpReply } from './smtp.peer.js';
export { alertItem, buildAlert } from './alert-builder.js';
export { loopbackNetwork, sendContext } from './network.js';
