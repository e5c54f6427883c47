import type { CaughtMessage } from './catcher.js';

// Renders what the demo's catcher received roughly as each provider shows it: Slack's Block Kit
// as a message, a PagerDuty event as an incident, an email as its HTML, a webhook as its signed
// JSON. Every value comes from drift data, so every value is escaped.

const esc = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Slack mrkdwn to HTML: links `<url|text>`, *bold*, _italic_, `code`, ~strike~ and line breaks. */
function mrkdwn(text: string): string {
  return esc(text)
    .replace(
      /&lt;(https?:\/\/[^|&]+)\|([^&]+?)&gt;/g,
      (_, url: string, label: string) => `<a href="${url}" rel="noreferrer">${label}</a>`,
    )
    .replace(/&lt;(https?:\/\/[^&]+?)&gt;/g, (_, url: string) => `<a href="${url}" rel="noreferrer">${url}</a>`)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
    .replace(/(^|\s)_([^_\n]+)_/g, '$1<i>$2</i>')
    .replace(/~([^~\n]+)~/g, '<s>$1</s>')
    .replace(/\n/g, '<br>');
}

function textOf(obj: unknown): string {
  if (!isRecord(obj)) return '';
  return obj['type'] === 'mrkdwn' ? mrkdwn(str(obj['text'])) : esc(str(obj['text']));
}

function slackBlock(block: unknown): string {
  if (!isRecord(block)) return '';
  switch (block['type']) {
    case 'header':
      return `<div class="sl-header">${textOf(block['text'])}</div>`;
    case 'section': {
      const fields = Array.isArray(block['fields']) ? block['fields'].map((f) => `<div>${textOf(f)}</div>`).join('') : '';
      return `<div class="sl-section">${textOf(block['text'])}${fields ? `<div class="sl-fields">${fields}</div>` : ''}</div>`;
    }
    case 'context': {
      const elements = Array.isArray(block['elements']) ? block['elements'].map(textOf).join(' · ') : '';
      return `<div class="sl-context">${elements}</div>`;
    }
    case 'divider':
      return '<hr>';
    case 'actions': {
      const buttons = Array.isArray(block['elements'])
        ? block['elements'].map(
            (e) =>
              `<span class="sl-button ${isRecord(e) ? esc(str(e['style'])) : ''}">${isRecord(e) ? textOf(e['text']) : ''}</span>`,
          )
        : [];
      return `<div class="sl-actions">${buttons.join('')}</div>`;
    }
    default:
      return '';
  }
}

function slack(message: CaughtMessage): string {
  const body = isRecord(message.body) ? message.body : {};
  const blocks = Array.isArray(body['blocks']) ? body['blocks'] : [];
  const content =
    blocks.length > 0 ? blocks.map(slackBlock).join('') : `<div class="sl-section">${mrkdwn(str(body['text']))}</div>`;
  return `<div class="slack"><div class="sl-app">DriftGuard <span>APP</span></div>${content}</div>`;
}

function pagerduty(message: CaughtMessage): string {
  const body = isRecord(message.body) ? message.body : {};
  const payload = isRecord(body['payload']) ? body['payload'] : {};
  const details = isRecord(payload['custom_details']) ? payload['custom_details'] : {};
  const rows = Object.entries(details)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('');
  const links = Array.isArray(body['links'])
    ? body['links']
        .map((l) =>
          isRecord(l) ? `<a href="${esc(str(l['href']))}" rel="noreferrer">${esc(str(l['text']) || str(l['href']))}</a>` : '',
        )
        .join(' ')
    : '';
  const severity = str(payload['severity']) || 'info';
  return `<div class="pd pd-${esc(severity)}">
    <div class="pd-head"><span class="pd-sev">${esc(severity)}</span> <b>${esc(str(body['event_action']))}</b> · dedup_key <code>${esc(str(body['dedup_key']))}</code></div>
    <div class="pd-summary">${esc(str(payload['summary']))}</div>
    <div class="pd-meta">source ${esc(str(payload['source']))} · component ${esc(str(payload['component']))} · group ${esc(str(payload['group']))} · class ${esc(str(payload['class']))}</div>
    ${rows ? `<table>${rows}</table>` : ''}${links ? `<div>${links}</div>` : ''}</div>`;
}

function webhook(message: CaughtMessage): string {
  const headers = Object.entries(message.headers ?? {})
    .map(([k, v]) => `<div><code>${esc(k)}: ${esc(v)}</code></div>`)
    .join('');
  return `<div class="wh">${headers}<pre>${esc(JSON.stringify(message.body, null, 2))}</pre></div>`;
}

function email(message: CaughtMessage): string {
  const mail = message.email;
  if (!mail) return '';
  // The HTML is shown in a sandboxed frame: no script, no same-origin access.
  return `<div class="em"><div><b>${esc(mail.subject)}</b></div><div class="em-meta">from ${esc(mail.from)} to ${esc(mail.to)}</div>
    <iframe sandbox="" srcdoc="${esc(mail.html || `<pre>${esc(mail.text)}</pre>`)}"></iframe></div>`;
}

const RENDER = { slack, pagerduty, webhook, email } as const;

/** The catcher's page: newest first, refreshed every 3 s. */
export function renderCatcherPage(messages: readonly CaughtMessage[]): string {
  const items = [...messages]
    .reverse()
    .map(
      (m) =>
        `<section><h2><span class="tag ${m.provider}">${m.provider}</span> ${esc(m.action)} <small>${esc(m.receivedAt)}</small></h2>${RENDER[m.provider](m)}</section>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="3"><title>DriftGuard demo: what would have been sent</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em auto;max-width:60em;color:#1d1c1d}h1{font-size:1.4em}section{border:1px solid #ddd;border-radius:8px;padding:1em;margin:1em 0}
h2{font-size:1em;margin:0 0 .6em}small{color:#888;font-weight:normal}.tag{border-radius:4px;padding:.1em .5em;color:#fff}.slack.tag{background:#4a154b}.pagerduty.tag{background:#06ac38}.webhook.tag{background:#555}.email.tag{background:#0b5cad}
.slack .sl-app{font-weight:bold}.sl-app span{font-size:.7em;background:#ddd;padding:0 .3em;border-radius:3px}.sl-header{font-size:1.2em;font-weight:bold;margin:.4em 0}.sl-section{margin:.4em 0}.sl-fields{display:grid;grid-template-columns:1fr 1fr;gap:.3em}.sl-context{color:#616061;font-size:.85em}
.sl-button{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:.2em .8em;margin-right:.4em}.sl-button.primary{background:#007a5a;color:#fff}.sl-button.danger{color:#e01e5a}
.pd{border-left:6px solid #888;padding-left:.8em}.pd-critical{border-color:#d00}.pd-error{border-color:#e60}.pd-warning{border-color:#fb0}.pd-sev{text-transform:uppercase;font-weight:bold}.pd-summary{font-size:1.1em;margin:.4em 0}.pd-meta{color:#666}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #eee;padding:.2em .5em;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:.6em;overflow:auto;max-height:24em}iframe{width:100%;height:24em;border:1px solid #eee}
</style></head><body><h1>What DriftGuard would have sent</h1><p>${messages.length} message(s) caught. Slack, PagerDuty, the webhook receiver and the SMTP server here are stand-ins on this machine: nothing left it.</p>${items}</body></html>`;
}
