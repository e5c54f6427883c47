import { decodeUtf8 } from '@driftguard/contracts';
import { parseJsonText } from '@driftguard/runtime';
import { UsageError } from './cli-errors.js';

/**
 * A JSON document given to a command (a file, an environment variable), read as strictly as the
 * services read request bodies: text that is not UTF-8, not JSON, nested too deep, or holding NUL,
 * lone surrogates or prototype keys is a usage error naming `source` and where the fault is,
 * before anything reaches the database.
 */
export function parseJsonDocument(input: Buffer | string, source: string): unknown {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const decoded = decodeUtf8(input);
    if (!decoded.ok) throw new UsageError(`${source} is not JSON: ${decoded.hazard.message}`);
    text = decoded.text;
  }
  try {
    return parseJsonText(text, 'document');
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^the document is not JSON: /, '') : String(err);
    const notJson = err instanceof Error && err.message.startsWith('the document is not JSON');
    throw new UsageError(notJson ? `${source} is not JSON: ${message}` : `${source}: ${message}`);
  }
}
