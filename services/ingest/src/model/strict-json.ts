/**
 * JSON read the way DriftGuard can keep it: every value must survive PostgreSQL jsonb, JSON
 * re-serialization and the contracts unchanged, or the scan is refused at intake with the JSON
 * pointer of the value. Read with lossless-json, which also refuses a key given twice in one
 * object with different values instead of keeping the last one.
 */
import { parse } from 'lossless-json';
import { ScanFormatError, type ScanFormat } from './scan-format.error.js';
import { escapePointerSegment } from './json-pointer.js';
import { pointerAtOffset } from './json-text.scan.js';

/** A number literal JavaScript reads as ±Infinity (e.g. `1e400`); refused with its path. */
class NonFiniteNumber {
  constructor(readonly text: string) {}
}

const SAFE_INTEGER_DIGITS = /^-?\d{1,15}$/;
const INTEGER = /^-?\d+$/;

/**
 * Number literals: safe ones as numbers; integers past 2^53 as their exact decimal text, so two
 * that differ only past float precision still compare different (strings compare as written);
 * literals that overflow to ±Infinity are marked for refusal.
 */
function readNumber(text: string): unknown {
  if (SAFE_INTEGER_DIGITS.test(text)) return Number(text);
  const n = Number(text);
  if (!Number.isFinite(n)) return new NonFiniteNumber(text);
  if (INTEGER.test(text) && !Number.isSafeInteger(n)) return BigInt(text).toString();
  return n;
}

/** Parses JSON text strictly (see the module doc); `base` prefixes reported paths. */
export function parseStrictJson(format: ScanFormat, text: string, base = ''): unknown {
  let value: unknown;
  try {
    value = parse(text, null, readNumber);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const dup = /^Duplicate key '(.*)' encountered at position (\d+)/s.exec(message);
    if (!dup) throw cause;
    const path = base + pointerAtOffset(text, Number(dup[2]));
    throw new ScanFormatError('duplicate_key', format, path, `key "${dup[1]}" appears twice in one object at ${path || '/'}`, { cause });
  }
  assertRepresentable(format, value, base);
  return value;
}

const NUL = '\u0000';
/** In a `u` regex a paired surrogate is one code point, so only unpaired halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Walks a parsed value (no recursion) and throws for the first key or value that cannot be kept:
 * NUL in a string or key (jsonb refuses it), a lone UTF-16 surrogate (not Unicode text), a
 * number that overflowed, and prototype-polluting keys (`__proto__`; `constructor` /
 * `prototype` holding an object).
 */
export function assertRepresentable(format: ScanFormat, root: unknown, base = ''): void {
  const stack: { value: unknown; path: string }[] = [{ value: root, path: base }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      checkString(format, value, path, 'value');
      continue;
    }
    if (value instanceof NonFiniteNumber) {
      throw new ScanFormatError('unrepresentable_value', format, path, `number ${value.text} at ${path || '/'} is out of range (it reads as infinity)`);
    }
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], path: `${path}/${i}` });
      continue;
    }
    for (const [key, v] of Object.entries(value)) {
      const childPath = `${path}/${escapePointerSegment(key)}`;
      checkString(format, key, childPath, 'key');
      if (key === '__proto__' || ((key === 'constructor' || key === 'prototype') && v !== null && typeof v === 'object')) {
        throw new ScanFormatError('forbidden_key', format, childPath, `forbidden key "${key}" at ${childPath}`);
      }
      stack.push({ value: v, path: childPath });
    }
  }
}

function checkString(format: ScanFormat, s: string, path: string, what: 'key' | 'value'): void {
  if (s.includes(NUL)) {
    throw new ScanFormatError('unrepresentable_value', format, path, `the ${what} at ${path || '/'} contains a NUL character (\\u0000), which cannot be stored`);
  }
  if (LONE_SURROGATE.test(s)) {
    throw new ScanFormatError('unrepresentable_value', format, path, `the ${what} at ${path || '/'} contains a lone UTF-16 surrogate, which is not Unicode text`);
  }
}
