/**
 * One linear pass over untrusted JSON text, before JSON.parse builds anything, that finds what
 * JSON.parse would silently accept but DriftGuard cannot keep: nesting past the depth bound,
 * more containers than allowed, a key given twice in one object, `\u0000` and lone surrogate
 * escapes (PostgreSQL jsonb refuses the one, the other is not Unicode text), numbers that
 * overflow to ±Infinity, and prototype-polluting keys. It also lists integer literals past 2^53,
 * which the caller quotes so they keep their exact digits. Malformed JSON is not judged here:
 * the scan stops and JSON.parse reports it with its position.
 */

export type GuardViolationKind =
  'depth' | 'containers' | 'duplicate_key' | 'nul' | 'lone_surrogate' | 'non_finite' | 'forbidden_key';

export interface GuardViolation {
  kind: GuardViolationKind;
  /** Offset in the text: inside the string or key at fault, or the number / container's start. */
  offset: number;
  /** The key, number literal or escape concerned. */
  detail: string;
}

export interface GuardResult {
  violation?: GuardViolation;
  /** [start, end) of integer literals that a double cannot hold exactly. */
  bigIntegers: [number, number][];
}

interface Frame {
  object: boolean;
  keys: Set<string> | undefined;
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

export function guardJsonText(text: string, maxDepth: number, maxContainers: number): GuardResult {
  const bigIntegers: [number, number][] = [];
  const stack: Frame[] = [];
  let containers = 0;
  let expectKey = false;
  const n = text.length;
  const fail = (kind: GuardViolationKind, offset: number, detail: string): GuardResult => ({
    violation: { kind, offset, detail },
    bigIntegers,
  });
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 34) break;
        if (d !== 92 /* \ */) continue;
        escaped = true;
        i++;
        if (text.charCodeAt(i) !== 117 /* u */) continue;
        const hex = text.slice(i + 1, i + 5);
        if (hex.length < 4 || !isHex(hex.charCodeAt(0)) || !isHex(hex.charCodeAt(3))) return { bigIntegers }; // malformed: JSON.parse reports it
        const code = parseInt(hex, 16);
        if (code === 0) return fail('nul', i, '\\u0000');
        if (code >= 0xdc00 && code <= 0xdfff) return fail('lone_surrogate', i, `\\u${hex}`);
        if (code >= 0xd800 && code <= 0xdbff) {
          const next = text.slice(i + 5, i + 11);
          const low = /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/.test(next);
          if (!low) return fail('lone_surrogate', i, `\\u${hex}`);
          i += 10;
        } else i += 4;
      }
      if (i >= n) return { bigIntegers };
      const top = stack[stack.length - 1];
      if (top?.object && expectKey) {
        const raw = text.slice(start + 1, i);
        const key = escaped ? decodeKey(text.slice(start, i + 1)) : raw;
        if (key === undefined) return { bigIntegers };
        top.keys ??= new Set();
        if (top.keys.has(key)) return fail('duplicate_key', start + 1, key);
        top.keys.add(key);
        if (key === '__proto__') return fail('forbidden_key', start + 1, key);
        if (key === 'constructor' || key === 'prototype') {
          let j = i + 1;
          while (j < n && (text.charCodeAt(j) <= 32 || text.charCodeAt(j) === 58) /* : */) j++;
          const v = text.charCodeAt(j);
          if (v === 123 || v === 91) return fail('forbidden_key', start + 1, key);
        }
        expectKey = false;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (stack.length + 1 > maxDepth) return fail('depth', i, String(maxDepth));
      if (++containers > maxContainers) return fail('containers', i, String(maxContainers));
      stack.push({ object: c === 123, keys: undefined });
      expectKey = c === 123;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 44 /* , */) {
      expectKey = stack[stack.length - 1]?.object === true;
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i;
      let plainInteger = true;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d >= 48 && d <= 57) continue;
        if (d === 46 || d === 101 || d === 69 || d === 43 || d === 45) plainInteger = false;
        else break;
      }
      const digits = i - start;
      i--;
      if (plainInteger && digits < 16) continue;
      const literal = text.slice(start, i + 1);
      const value = Number(literal);
      if (!Number.isFinite(value)) {
        if (Number.isNaN(value)) return { bigIntegers }; // malformed
        return fail('non_finite', start, literal);
      }
      if (plainInteger && !Number.isSafeInteger(value)) bigIntegers.push([start, i + 1]);
    }
  }
  return { bigIntegers };
}

function decodeKey(quoted: string): string | undefined {
  try {
    const v: unknown = JSON.parse(quoted);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The text with each listed integer literal quoted, so JSON.parse keeps its exact digits as a string. */
export function quoteRanges(text: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [s, e] of ranges) {
    out += `${text.slice(at, s)}"${text.slice(s, e)}"`;
    at = e;
  }
  return out + text.slice(at);
}
