import { parseAllDocuments } from 'yaml';
import { ScanFormatError, type ScanFormat } from './scan-format.error.js';
import { lineColumnAt, locateJsonError, pointerAtOffset } from './json-text.scan.js';
import { guardJsonText, quoteRanges } from './json-guard.scan.js';
import { escapePointerSegment } from './json-pointer.js';
import { assertRepresentable, guardError } from './strict-json.js';
import { SCAN_LIMITS } from '../limits.js';
import { scalarText } from './scalar-text.js';

export const MAX_SCAN_DEPTH: number = SCAN_LIMITS.maxDepth;

export interface ParseScanBodyOptions {
  maxBytes?: number;
  maxDepth?: number;
  maxContainers?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses an untrusted scan body. Checks, in order: size, UTF-8, nesting depth (a linear pre-scan
 * of the text, so a 10,000-deep body never reaches a recursive parser), JSON syntax (with
 * line/column/offset), then keys that could pollute prototypes when the value is later merged.
 * Kubernetes bodies may also be YAML.
 */
export function parseScanBody(format: ScanFormat, bytes: Buffer | string, opts: ParseScanBodyOptions = {}): unknown {
  const maxBytes = opts.maxBytes ?? SCAN_LIMITS.maxInflatedBytes;
  const maxDepth = opts.maxDepth ?? MAX_SCAN_DEPTH;
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  if (size > maxBytes) {
    throw new ScanFormatError(
      'too_large',
      format,
      '',
      `scan body is ${size} bytes; the limit (maxInflatedBytes) is ${maxBytes}`,
      {
        limit: { limit: 'maxInflatedBytes', value: maxBytes },
      },
    );
  }
  let text: string;
  if (typeof bytes === 'string') text = bytes;
  else {
    try {
      text = utf8.decode(bytes);
    } catch (cause) {
      throw new ScanFormatError('malformed_json', format, '', 'scan body is not valid UTF-8', { cause });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = text.trimStart()[0];
  if (format === 'kubernetes' && first !== '{' && first !== '[') return parseYamlBody(format, text, maxDepth);
  return parseJsonText(format, text, maxDepth, '', opts.maxContainers);
}

/**
 * JSON.parse after one guarding pass over the text (json-guard.scan.ts: depth, container count,
 * duplicate keys, NUL / lone surrogates, overflowing numbers, forbidden keys); integers past 2^53
 * are kept as their exact digits (a string). `base` prefixes reported paths.
 */
export function parseJsonText(
  format: ScanFormat,
  text: string,
  maxDepth = MAX_SCAN_DEPTH,
  base = '',
  maxContainers: number = SCAN_LIMITS.maxJsonContainers,
): unknown {
  const guard = guardJsonText(text, maxDepth, maxContainers);
  if (guard.violation) throw guardError(format, text, base, guard.violation);
  try {
    return JSON.parse(quoteRanges(text, guard.bigIntegers));
  } catch (cause) {
    // Positions are reported in the text as sent (quoting moved them).
    const original = guard.bigIntegers.length > 0 ? (parseError(text) ?? cause) : cause;
    const message = original instanceof Error ? original.message : String(original);
    const m = /position (\d+)/.exec(message);
    const offset = m ? Number(m[1]) : locateJsonError(text);
    const { line, column } = lineColumnAt(text, offset);
    const what =
      offset >= text.length ? 'unexpected end of input (truncated?)' : message.replace(/ in JSON at position \d+.*$/s, '');
    throw new ScanFormatError(
      'malformed_json',
      format,
      base + pointerAtOffset(text, offset),
      `invalid JSON at line ${line}, column ${column} (offset ${offset}): ${what}`,
      { cause },
    );
  }
}

function parseError(text: string): unknown {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    return err;
  }
}

/**
 * `__proto__` is refused anywhere; `constructor` / `prototype` only when they hold an object,
 * which is how pollution payloads use them (`{"constructor":{"prototype":{...}}}`); a tag named
 * "constructor" with a string value is harmless and accepted.
 */
export function assertNoForbiddenKeys(format: ScanFormat, root: unknown, base = ''): void {
  const stack: { value: unknown; path: string }[] = [{ value: root, path: base }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (v !== null && typeof v === 'object') stack.push({ value: v, path: `${path}/${i}` });
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      const v: unknown = (value as Record<string, unknown>)[key];
      const childPath = `${path}/${escapePointerSegment(key)}`;
      const isObject = v !== null && typeof v === 'object';
      if (key === '__proto__' || ((key === 'constructor' || key === 'prototype') && isObject)) {
        throw new ScanFormatError('forbidden_key', format, childPath, `forbidden key "${key}" at ${childPath}`);
      }
      if (isObject) stack.push({ value: v, path: childPath });
    }
  }
}

/** YAML (one or several documents). Maps are read as Maps, so no key ever touches a prototype. */
export function parseYamlBody(format: ScanFormat, text: string, maxDepth = MAX_SCAN_DEPTH, base = ''): unknown {
  try {
    return readYamlDocuments(format, text, maxDepth, base);
  } catch (cause) {
    if (!(cause instanceof RangeError)) throw cause;
    // The YAML library recurses; a pathological nesting overflows it before our own depth check.
    throw new ScanFormatError('too_deep', format, base, `YAML nests too deeply to be read (limit ${maxDepth})`, { cause });
  }
}

function readYamlDocuments(format: ScanFormat, text: string, maxDepth: number, base: string): unknown {
  const docs = parseAllDocuments(text, { merge: false, uniqueKeys: true, prettyErrors: false, intAsBigInt: true });
  if (!Array.isArray(docs)) return [];
  const values: unknown[] = [];
  for (const [n, doc] of docs.entries()) {
    const err = doc.errors[0];
    if (err) {
      const [start] = err.pos;
      const { line, column } = lineColumnAt(text, start);
      throw new ScanFormatError(
        'malformed_json',
        format,
        base,
        `invalid YAML in document ${n + 1} at line ${line}, column ${column} (offset ${start}): ${err.message.split('\n')[0]}`,
      );
    }
    let js: unknown;
    try {
      js = doc.toJS({ mapAsMap: true, maxAliasCount: 100 });
    } catch (cause) {
      if (cause instanceof RangeError) throw cause;
      throw new ScanFormatError('malformed_json', format, base, `YAML document ${n + 1}: ${(cause as Error).message}`, { cause });
    }
    if (js === null || js === undefined) continue; // empty document (e.g. a trailing ---)
    const docPath = docs.length === 1 ? base : `${base}/${values.length}`;
    const plain = plainFromYaml(format, js, docPath, 1, maxDepth);
    assertRepresentable(format, plain, docPath);
    values.push(plain);
  }
  return values.length === 1 && docs.length === 1 ? values[0] : values;
}

function plainFromYaml(format: ScanFormat, v: unknown, path: string, depth: number, maxDepth: number): unknown {
  // Integers are read as BigInt so one past 2^53 keeps its exact digits (as JSON reading does).
  if (typeof v === 'bigint') return v >= Number.MIN_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER ? Number(v) : v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) {
    throw new ScanFormatError(
      'unrepresentable_value',
      format,
      path,
      `number ${String(v)} at ${path || '/'} cannot be stored as JSON`,
    );
  }
  if (v === null || typeof v !== 'object') return v;
  if (depth > maxDepth)
    throw new ScanFormatError('too_deep', format, path, `YAML nests deeper than ${maxDepth} levels at ${path}`);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x, i) => plainFromYaml(format, x, `${path}/${i}`, depth + 1, maxDepth));
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v) {
      const key = String(k);
      const childPath = `${path}/${escapePointerSegment(key)}`;
      const isObject = x !== null && typeof x === 'object';
      if (key === '__proto__' || ((key === 'constructor' || key === 'prototype') && isObject)) {
        throw new ScanFormatError('forbidden_key', format, childPath, `forbidden key "${key}" at ${childPath}`);
      }
      Object.defineProperty(out, key, {
        value: plainFromYaml(format, x, childPath, depth + 1, maxDepth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  if (v instanceof Set) return [...v].map((x, i) => plainFromYaml(format, x, `${path}/${i}`, depth + 1, maxDepth));
  return scalarText(v);
}
