/**
 * Values that are secrets whatever key holds them, recognised by shape. The patterns are a data
 * table taken from gitleaks' rule set (https://github.com/gitleaks/gitleaks, config/gitleaks.toml,
 * rule ids below), trimmed to the token formats with fixed, documented prefixes so an ordinary
 * value (an id, a hash, a URL) is not mistaken for one. gitleaks ships as a Go binary and
 * secretlint's rules run asynchronously over files, so neither can judge a string in the diff's
 * synchronous path; the table is kept here with its source instead.
 */
export interface SecretShape {
  /** gitleaks rule id the pattern comes from. */
  readonly id: string;
  readonly pattern: RegExp;
}

export const SECRET_SHAPES: readonly SecretShape[] = [
  { id: 'private-key', pattern: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/ },
  { id: 'aws-access-token', pattern: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/ },
  { id: 'github-pat', pattern: /\bghp_[0-9A-Za-z]{36}\b/ },
  { id: 'github-oauth', pattern: /\bgho_[0-9A-Za-z]{36}\b/ },
  { id: 'github-app-token', pattern: /\b(?:ghu|ghs)_[0-9A-Za-z]{36}\b/ },
  { id: 'github-refresh-token', pattern: /\bghr_[0-9A-Za-z]{36}\b/ },
  { id: 'github-fine-grained-pat', pattern: /\bgithub_pat_\w{82}\b/ },
  { id: 'gitlab-pat', pattern: /\bglpat-[\w-]{20}\b/ },
  { id: 'slack-bot-token', pattern: /\bxoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*/ },
  { id: 'slack-user-token', pattern: /\bxox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}/ },
  { id: 'slack-legacy-token', pattern: /\bxox[os]-\d+-\d+-\d+-[a-fA-F\d]+/ },
  { id: 'slack-app-token', pattern: /\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/i },
  { id: 'slack-config-access-token', pattern: /\bxoxe\.xox[bp]-\d-[A-Z0-9]{163,166}/i },
  {
    id: 'slack-webhook-url',
    pattern: /(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{43,56}/,
  },
  { id: 'stripe-access-token', pattern: /\b(?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99}\b/ },
  { id: 'gcp-api-key', pattern: /\bAIza[\w-]{35}\b/ },
  { id: 'npm-access-token', pattern: /\bnpm_[a-z0-9]{36}\b/i },
  { id: 'jwt', pattern: /\bey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?/ },
];

/** True when `value` holds a string shaped like a known secret (see SECRET_SHAPES). */
export function isSecretShaped(value: string): boolean {
  // Every pattern needs at least 16 characters; short strings are the common case.
  if (value.length < 16) return false;
  for (const s of SECRET_SHAPES) if (s.pattern.test(value)) return true;
  return false;
}

/** Text (a log line, a rejection reason) with every secret-shaped run replaced by `marker`. */
export function redactSecretShapes(text: string, marker: string): string {
  if (text.length < 16) return text;
  let out = text;
  for (const s of SECRET_SHAPES) out = out.replace(new RegExp(s.pattern.source, `${s.pattern.flags.replace('g', '')}g`), marker);
  return out;
}
