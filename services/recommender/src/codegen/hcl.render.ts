import type { JsonValue } from '@driftguard/contracts';
import { isObject } from './json-pointer.js';

/** An HCL expression written as is (`var.db_password`), never quoted. */
export class HclExpression {
  constructor(readonly text: string) {}
}

export type HclValue = JsonValue | HclExpression | HclValue[] | { [key: string]: HclValue };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A quoted HCL string: escapes, and `${` / `%{` doubled so nothing is interpolated. */
export function hclString(s: string): string {
  const escaped = s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\$\{/g, '$${')
    .replace(/%\{/g, '%%{');
  return `"${escaped}"`;
}

const isPlainObject = (v: HclValue): v is { [key: string]: HclValue } => !(v instanceof HclExpression) && isObject(v);

/** A list of objects is written as repeated nested blocks, the way Terraform state lists block types. */
export const isBlockList = (v: HclValue): v is { [key: string]: HclValue }[] =>
  Array.isArray(v) && v.length > 0 && v.every(isPlainObject);

function key(k: string): string {
  return IDENTIFIER.test(k) ? k : hclString(k);
}

/** One value as an HCL expression. */
export function hclValue(v: HclValue, indent = ''): string {
  if (v instanceof HclExpression) return v.text;
  if (v === null) return 'null';
  if (typeof v === 'string') return hclString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => !isPlainObject(x) && !Array.isArray(x))) return `[${v.map((x) => hclValue(x)).join(', ')}]`;
    return `[\n${v.map((x) => `${inner}${hclValue(x, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return '{}';
  const lines = aligned(entries.map(([k, x]) => ({ key: key(k), value: hclValue(x, inner) })));
  return `{\n${lines.map((l) => `${inner}${l}`).join('\n')}\n${indent}}`;
}

/**
 * `key = value` lines with the equals signs of consecutive one-line values aligned, as
 * `terraform fmt` writes them, so a block written back next to formatted code reads the same.
 */
function aligned(items: { key: string; value: string }[]): string[] {
  const out: string[] = [];
  let run: { key: string; value: string }[] = [];
  const flush = () => {
    const width = Math.max(0, ...run.map((r) => r.key.length));
    for (const r of run) out.push(`${r.key.padEnd(width)} = ${r.value}`);
    run = [];
  };
  for (const item of items) {
    run.push(item);
    // A multi-line value ends a run: the lines after it align among themselves.
    if (item.value.includes('\n')) flush();
  }
  flush();
  return out;
}

/**
 * The body of a block: scalars, lists and maps as attributes, lists of objects as nested blocks
 * (`ingress { … }`), so the result reads like hand-written Terraform.
 */
export function hclBody(body: { [key: string]: HclValue }, indent = '  '): string {
  const lines: string[] = [];
  let run: { key: string; value: string }[] = [];
  const flush = () => {
    lines.push(...aligned(run).map((l) => `${indent}${l}`));
    run = [];
  };
  for (const [k, v] of Object.entries(body)) {
    if (!IDENTIFIER.test(k)) continue;
    if (isBlockList(v)) {
      flush();
      for (const item of v) lines.push(`${indent}${k} {\n${hclBody(item, `${indent}  `)}${indent}}`);
    } else run.push({ key: k, value: hclValue(v, indent) });
  }
  flush();
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** `<kind> "<label>" … { body }`. */
export function hclBlock(kind: string, labels: readonly string[], body: { [key: string]: HclValue } | string): string {
  const head = [kind, ...labels.map(hclString)].join(' ');
  const inner = typeof body === 'string' ? body : hclBody(body);
  return `${head} {\n${inner}}\n`;
}

/** `to = aws_instance.web["a"]`-style attribute whose value is a resource address expression. */
export const addressExpression = (address: string) => new HclExpression(address);
