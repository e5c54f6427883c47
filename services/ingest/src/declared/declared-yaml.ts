import { parseAllDocuments, type CollectionTag, type ScalarTag } from 'yaml';
import { DeclaredFormatError } from './declared-format.error.js';
import type { DeclaredFormat } from './declared-resource.js';
import { assertSafeKeys, firstLine, looksLikeJson, parseJsonText } from './declared-text.js';

/** One document of a YAML stream (or the single value of a JSON text). */
export interface SourceDocument {
  /** `/<index>` in a YAML stream; '' for JSON text */
  path: string;
  /** 0-based index in the stream */
  index: number;
  value: unknown;
}

export interface ReadDocumentsOptions {
  customTags?: (ScalarTag | CollectionTag)[];
  merge?: boolean;
}

/**
 * Splits declared text into documents. Text starting with `{` or `[` is JSON and only JSON (as
 * kubectl decides), so its errors are JSON errors; anything else is a YAML stream whose errors
 * name the 0-based document index, line and column. Every value is checked for
 * prototype-polluting keys.
 */
export function readDocuments(text: string, format: DeclaredFormat, options: ReadDocumentsOptions = {}): SourceDocument[] {
  if (looksLikeJson(text)) return [{ path: '', index: 0, value: parseJsonText(text, format) }];
  return yamlDocuments(text, format, options);
}

function yamlDocuments(text: string, format: DeclaredFormat, options: ReadDocumentsOptions): SourceDocument[] {
  try {
    const docs = parseAllDocuments(text, {
      prettyErrors: true,
      uniqueKeys: true,
      merge: options.merge ?? false,
      ...(options.customTags ? { customTags: options.customTags } : {}),
    });
    return docs.map((doc, index) => {
      const path = `/${index}`;
      const error = doc.errors[0];
      if (error !== undefined) {
        const pos = error.linePos?.[0];
        const where = pos ? `, line ${pos.line}, column ${pos.col}` : '';
        const what = firstLine(error.message).replace(/ at line \d+, column \d+$/, '');
        throw new DeclaredFormatError('malformed_yaml', format, path, `YAML document ${index} (0-based)${where}: ${what}`, {
          cause: error,
          ...(pos ? { line: pos.line, column: pos.col } : {}),
        });
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (err) {
        if (err instanceof RangeError) throw err;
        // e.g. more alias expansions than allowed (a "billion laughs" document)
        throw new DeclaredFormatError(
          'malformed_yaml',
          format,
          path,
          `YAML document ${index} (0-based): ${(err as Error).message}`,
          { cause: err },
        );
      }
      assertSafeKeys(value, format, path);
      return { path, index, value };
    });
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    // The YAML library recurses; pathological nesting overflows the stack before anything else.
    throw new DeclaredFormatError('too_deep', format, '', 'the YAML nests too deeply to be read', { cause: err });
  }
}
