import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type CollectionTag, type Node, type ScalarTag } from 'yaml';
import {
  canCarrySecret,
  isSecretShaped,
  isSecretSlot,
  maskSecretsIn,
  redactSecretShapes,
  SENSITIVE_MARKER,
} from '../sensitivity/index.js';
import type { Json } from '../model/observation.js';

/**
 * The text of a declaring file as it may be stored: every value the declared state masks is
 * masked in the text too, in place, so the rest of the file (layout, comments) stays as written
 * and a diff against it lines up with the real file. The masks are the declared values' own
 * rules (sensitivity/secret-mask.ts: names, name/value pairs, a Secret's data, manifest copies,
 * secret shapes), applied to the file's parsed structure; whatever is secret-shaped elsewhere
 * (comments) is redacted by shape.
 */

/** Replacement of [start, end) of the text. */
interface Cut {
  start: number;
  end: number;
}

const MASKED_LITERAL = JSON.stringify(SENSITIVE_MARKER);

function applyCuts(text: string, cuts: Cut[]): string {
  // Cuts never overlap: a masked node is not descended into.
  const sorted = [...cuts].sort((a, b) => b.start - a.start);
  let out = text;
  for (const c of sorted) out = `${out.slice(0, c.start)}${MASKED_LITERAL}${out.slice(c.end)}`;
  return out;
}

/** Scalar children of a map, as plain values: what the pair and Secret rules look at. */
function shallowOf(node: Node): { [k: string]: unknown } {
  const out: { [k: string]: unknown } = {};
  if (!isMap(node)) return out;
  for (const pair of node.items) {
    if (isScalar(pair.key) && isScalar(pair.value))
      Object.defineProperty(out, String(pair.key.value), { value: pair.value.value, enumerable: true });
  }
  return out;
}

const carries = (node: unknown): node is Node =>
  node !== null && typeof node === 'object' && !isAlias(node) && (!isScalar(node) || canCarrySecret(node.value));

function rangeOf(node: Node): Cut | null {
  return node.range ? { start: node.range[0], end: node.range[1] } : null;
}

function collect(node: Node, cuts: Cut[], secretObject: boolean): void {
  if (isScalar(node)) {
    if (typeof node.value === 'string' && isSecretShaped(node.value)) {
      const r = rangeOf(node);
      if (r) cuts.push(r);
    }
    return;
  }
  if (isSeq(node)) {
    for (const item of node.items) if (carries(item)) collect(item, cuts, false);
    return;
  }
  if (!isMap(node)) return;
  const parent = shallowOf(node);
  for (const pair of node.items) {
    const value = pair.value;
    if (!isScalar(pair.key) || !carries(value)) continue;
    const key = String(pair.key.value);
    if (!isSecretSlot(parent, key, secretObject)) {
      collect(value, cuts, false);
      continue;
    }
    // A Secret's data keeps its keys; every entry's value is masked.
    const secretData = (key === 'data' || key === 'stringData') && (secretObject || parent['kind'] === 'Secret');
    if (secretData && isMap(value)) {
      for (const entry of value.items) {
        if (carries(entry.value)) {
          const r = rangeOf(entry.value);
          if (r) cuts.push(r);
        }
      }
      continue;
    }
    const r = rangeOf(value);
    if (r) cuts.push(r);
  }
}

/**
 * A YAML stream or a JSON text (JSON is YAML) with its secrets masked in place. `customTags`:
 * CloudFormation's short forms, so tagged values parse. Text that does not parse is returned
 * redacted by shape only (the readers refuse such files before they are stored).
 */
export function maskYamlSource(text: string, customTags?: (ScalarTag | CollectionTag)[]): string {
  const docs = parseAllDocuments(text, { keepSourceTokens: false, ...(customTags ? { customTags } : {}) });
  const cuts: Cut[] = [];
  if (Array.isArray(docs)) {
    for (const doc of docs) if (doc.errors.length === 0 && doc.contents) collect(doc.contents, cuts, false);
  }
  return redactSecretShapes(applyCuts(text, cuts), SENSITIVE_MARKER);
}

/** `"…"` as HCL writes a string literal (interpolation sequences kept as written). */
function hclQuoted(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** Leaves of `before` that the mask replaced in `after`. */
function maskedLeaves(before: Json, after: Json, out: string[]): void {
  if (after === SENSITIVE_MARKER && before !== SENSITIVE_MARKER) {
    if (typeof before === 'string') out.push(before);
    else if (before !== null && typeof before === 'object') {
      for (const v of Array.isArray(before) ? before : Object.values(before)) maskedLeaves(v, SENSITIVE_MARKER, out);
    } else if (typeof before === 'number') out.push(String(before));
    return;
  }
  if (before === null || after === null || typeof before !== 'object' || typeof after !== 'object') return;
  if (Array.isArray(before) && Array.isArray(after)) before.forEach((v, i) => maskedLeaves(v, after[i] ?? null, out));
  else if (!Array.isArray(before) && !Array.isArray(after))
    for (const [k, v] of Object.entries(before)) maskedLeaves(v, after[k] ?? null, out);
}

const PURE_REFERENCE = /^\$\{[^}]*\}$/;

/**
 * A Terraform file with its secret literals masked. `parsed` is the file as HashiCorp's parser
 * reads it (hcl2json: literals as strings, expressions as `${…}`); the declared-value mask finds
 * the secret values in it, and each is replaced where the text writes it: as a quoted literal,
 * or line by line inside a heredoc. A reference (`var.db_password`) is not a secret and stays.
 */
export function maskHclSource(text: string, parsed: Json): string {
  const { value } = maskSecretsIn(parsed);
  const secrets: string[] = [];
  maskedLeaves(parsed, value, secrets);
  let out = text;
  for (const secret of new Set(secrets)) {
    if (secret === '' || PURE_REFERENCE.test(secret)) continue;
    const quoted = hclQuoted(secret);
    if (out.includes(quoted)) {
      out = out.split(quoted).join(MASKED_LITERAL);
      continue;
    }
    if (/^-?\d+(\.\d+)?$/.test(secret)) {
      out = out.replace(new RegExp(`(=\\s*)${secret.replace(/[.-]/g, '\\$&')}(?![\\w.])`, 'g'), `$1${MASKED_LITERAL}`);
      continue;
    }
    // A heredoc: its lines as written (indented heredocs add leading blanks).
    for (const line of secret.split('\n')) {
      const body = line.trim();
      if (body.length < 4 || body.includes('${')) continue;
      out = out.split(body).join(SENSITIVE_MARKER);
    }
  }
  return redactSecretShapes(out, SENSITIVE_MARKER);
}
