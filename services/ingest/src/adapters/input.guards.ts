/** Structural checks on untrusted scan input: strict on structure, lenient on optional fields. */
import { ScanFormatError, type ScanFormat } from '../model/scan-format.error.js';
import type { Json } from '../model/observation.js';

export type JsonRecord = Record<string, unknown>;

export function isRecord(v: unknown): v is JsonRecord {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function requireRecord(v: unknown, format: ScanFormat, path: string, what: string): JsonRecord {
  if (!isRecord(v)) throw new ScanFormatError('invalid_structure', format, path, `${what} must be an object, got ${typeName(v)}`);
  return v;
}

export function requireArray(v: unknown, format: ScanFormat, path: string, what: string): unknown[] {
  if (!Array.isArray(v))
    throw new ScanFormatError('invalid_structure', format, path, `${what} must be an array, got ${typeName(v)}`);
  return v;
}

/** An optional array: absent/null → [], anything else but an array is a structural error. */
export function optionalArray(v: unknown, format: ScanFormat, path: string, what: string): unknown[] {
  return v === undefined || v === null ? [] : requireArray(v, format, path, what);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A value from parsed JSON, typed as Json (the parser only produces JSON values). */
export function json(v: unknown): Json {
  return v === undefined ? null : (v as Json);
}

/** Drops undefined members so refs compare and serialize cleanly. */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
