import { gunzipSync } from 'node:zlib';
import { ScanFormatError, type ScanFormat } from '../model/scan-format.error.js';
import { assertNoForbiddenKeys, parseJsonText as parseScanJson } from '../model/parse-scan-body.js';
import { DeclaredFormatError } from './declared-format.error.js';
import type { DeclaredFormat } from './declared-resource.js';
import { DECLARED_LIMITS } from '../limits.js';

/** Upper bound of a decompressed body: a gzip bomb must not exhaust memory. */
export const MAX_DECLARED_TEXT_BYTES = DECLARED_LIMITS.maxTextBytes;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Turns raw declared-state bytes (optionally gzip-compressed) into text: UTF-8, byte order mark
 * dropped. Throws a DeclaredFormatError for broken gzip, oversize output or invalid UTF-8.
 */
export function decodeDeclaredBytes(bytes: Uint8Array, format: DeclaredFormat): string {
  let raw: Uint8Array = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes, { maxOutputLength: MAX_DECLARED_TEXT_BYTES });
    } catch (err) {
      const tooLarge = (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
      throw new DeclaredFormatError(
        tooLarge ? 'too_large' : 'invalid_encoding',
        format,
        '',
        tooLarge
          ? `the gzip body expands past ${MAX_DECLARED_TEXT_BYTES} bytes`
          : `the body starts like gzip but cannot be decompressed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch (err) {
    throw new DeclaredFormatError('invalid_encoding', format, '', 'the body is not UTF-8 text', { cause: err });
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** True when the text's first non-blank character opens a JSON object or array. */
export function looksLikeJson(text: string): boolean {
  const first = /\S/.exec(text);
  return first !== null && (first[0] === '{' || first[0] === '[');
}

/**
 * Parses JSON text with the scan parser's guards (nesting depth checked before parsing, line and
 * column on syntax errors, prototype-polluting keys refused), reported as DeclaredFormatError.
 * The message never quotes the input, which may hold secrets.
 */
export function parseJsonText(text: string, format: DeclaredFormat): unknown {
  try {
    return parseScanJson(SCAN_FORMAT_OF[format], text);
  } catch (err) {
    if (!(err instanceof ScanFormatError)) throw err;
    throw fromScanFormatError(err, format);
  }
}

/** Refuses `__proto__` (and `constructor`/`prototype` holding objects) anywhere in a parsed value. */
export function assertSafeKeys(value: unknown, format: DeclaredFormat, base = ''): void {
  try {
    assertNoForbiddenKeys(SCAN_FORMAT_OF[format], value, base);
  } catch (err) {
    if (!(err instanceof ScanFormatError)) throw err;
    throw fromScanFormatError(err, format);
  }
}

const SCAN_FORMAT_OF: Record<DeclaredFormat, ScanFormat> = {
  tfstate: 'tfstate',
  'terraform-show-json': 'tfstate',
  kubernetes: 'kubernetes',
  cloudformation: 'cloudformation',
};

function fromScanFormatError(err: ScanFormatError, format: DeclaredFormat): DeclaredFormatError {
  const position = /line (\d+), column (\d+)/.exec(err.message);
  return new DeclaredFormatError(err.code, format, err.path, withoutInputSnippet(err.message), {
    cause: err,
    ...(position ? { line: Number(position[1]), column: Number(position[2]) } : {}),
  });
}

/** The first line of a parser message (the rest repeats the source text). */
export function firstLine(message: string): string {
  const end = message.indexOf('\n');
  return (end === -1 ? message : message.slice(0, end)).replace(/:$/, '');
}

/** V8 quotes the start of the input in JSON errors (`Unexpected token 'x', "…" is not valid JSON`). */
function withoutInputSnippet(message: string): string {
  return message.replace(/, ".*" is not valid JSON$/s, '');
}

/** A plain (non-array) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
