/**
 * What DriftGuard can keep of a scan: every value must survive PostgreSQL jsonb, JSON
 * re-serialization and the contracts unchanged, or the scan is refused at intake with the JSON
 * pointer of the value. JSON text is judged by json-guard.scan.ts before it is parsed; this
 * module turns its findings into errors and walks values that come from YAML.
 */
import { ScanFormatError, type ScanFormat } from './scan-format.error.js';
import { escapePointerSegment } from './json-pointer.js';
import { lineColumnAt, pointerAtOffset } from './json-text.scan.js';
import type { GuardViolation } from './json-guard.scan.js';

/** The error for what guardJsonText found, with the JSON pointer, line and column of the fault. */
export function guardError(format: ScanFormat, text: string, base: string, v: GuardViolation): ScanFormatError {
  const path = base + pointerAtOffset(text, v.offset);
  const { line, column } = lineColumnAt(text, v.offset);
  const where = `${path || '/'} (line ${line}, column ${column}, offset ${v.offset})`;
  switch (v.kind) {
    case 'depth':
      return new ScanFormatError('too_deep', format, path, `JSON nests deeper than ${v.detail} levels at ${where}`);
    case 'containers': {
      const value = Number(v.detail);
      return new ScanFormatError(
        'too_many',
        format,
        path,
        `JSON holds more than ${value} objects and arrays (maxJsonContainers); the next starts at ${where}`,
        {
          limit: { limit: 'maxJsonContainers', value },
        },
      );
    }
    case 'duplicate_key':
      return new ScanFormatError('duplicate_key', format, path, `key "${v.detail}" appears twice in one object at ${where}`);
    case 'nul':
      return new ScanFormatError(
        'unrepresentable_value',
        format,
        path,
        `the string at ${where} contains a NUL character (\\u0000), which cannot be stored`,
      );
    case 'lone_surrogate':
      return new ScanFormatError(
        'unrepresentable_value',
        format,
        path,
        `the string at ${where} contains a lone UTF-16 surrogate (${v.detail}), which is not Unicode text`,
      );
    case 'non_finite':
      return new ScanFormatError(
        'unrepresentable_value',
        format,
        path,
        `number ${v.detail} at ${where} is out of range (it reads as infinity)`,
      );
    case 'forbidden_key':
      return new ScanFormatError('forbidden_key', format, path, `forbidden key "${v.detail}" at ${path}`);
    default: {
      const never: never = v.kind;
      throw new Error(`unknown violation ${String(never)}`);
    }
  }
}

const NUL = '\u0000';
/** In a `u` regex a paired surrogate is one code point, so only unpaired halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Walks a value read from YAML (no recursion) and throws for the first key or value that cannot
 * be kept: NUL in a string or key (jsonb refuses it), a lone UTF-16 surrogate (not Unicode
 * text), and prototype-polluting keys (`__proto__`; `constructor` /
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
    throw new ScanFormatError(
      'unrepresentable_value',
      format,
      path,
      `the ${what} at ${path || '/'} contains a NUL character (\\u0000), which cannot be stored`,
    );
  }
  if (LONE_SURROGATE.test(s)) {
    throw new ScanFormatError(
      'unrepresentable_value',
      format,
      path,
      `the ${what} at ${path || '/'} contains a lone UTF-16 surrogate, which is not Unicode text`,
    );
  }
}
