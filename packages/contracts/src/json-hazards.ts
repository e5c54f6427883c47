/**
 * What makes JSON from the wire unfit to be kept, whatever its schema says: text that is not
 * UTF-8, nesting deep enough to exhaust a recursive reader, NUL (PostgreSQL text and jsonb refuse
 * it), lone UTF-16 surrogates (not Unicode text; jsonb refuses the escape) and prototype-polluting
 * keys (`__proto__`; `constructor` or `prototype` holding an object). The HTTP servers and the
 * consume wrapper refuse such input before any schema or handler sees it.
 */

/** Nesting allowed in a message or request body: scans are bounded at 256 levels, events add a few. */
export const MAX_JSON_DEPTH = 512;

/** One thing wrong with a body, with the JSON Pointer of where it is. */
export interface JsonHazard {
  kind: 'not_utf8' | 'too_deep' | 'nul' | 'lone_surrogate' | 'forbidden_key';
  /** JSON Pointer of the value or key; the byte offset for `not_utf8` and `too_deep`. */
  at: string;
  message: string;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** The body as text, or the hazard when its bytes are not UTF-8. */
export function decodeUtf8(body: Uint8Array): { ok: true; text: string } | { ok: false; hazard: JsonHazard } {
  try {
    return { ok: true, text: strictDecoder.decode(body) };
  } catch {
    return { ok: false, hazard: { kind: 'not_utf8', at: '', message: 'the body is not valid UTF-8 text' } };
  }
}

/**
 * The first place JSON text nests deeper than `maxDepth`, found without parsing (so before a
 * recursive reader could overflow its stack); undefined when it does not.
 */
export function tooDeep(text: string, maxDepth = MAX_JSON_DEPTH): JsonHazard | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth)
        return { kind: 'too_deep', at: String(i), message: `the JSON nests deeper than ${maxDepth} levels (at character ${i})` };
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

const LONE_SURROGATE = /\p{Cs}/u;

const escapeSegment = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

function textHazard(s: string, at: string, what: 'key' | 'value'): JsonHazard | undefined {
  if (s.includes('\u0000'))
    return { kind: 'nul', at, message: `the ${what} at ${at || '/'} contains a NUL character (\\u0000), which cannot be stored` };
  if (LONE_SURROGATE.test(s))
    return {
      kind: 'lone_surrogate',
      at,
      message: `the ${what} at ${at || '/'} contains a lone UTF-16 surrogate, which is not Unicode text`,
    };
  return undefined;
}

/** The first hazard in a parsed JSON value (walked without recursion), or undefined. */
export function jsonHazard(root: unknown): JsonHazard | undefined {
  const stack: { value: unknown; at: string }[] = [{ value: root, at: '' }];
  while (stack.length > 0) {
    const { value, at } = stack.pop()!;
    if (typeof value === 'string') {
      const found = textHazard(value, at, 'value');
      if (found) return found;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], at: `${at}/${i}` });
      continue;
    }
    for (const [key, v] of Object.entries(value)) {
      const child = `${at}/${escapeSegment(key)}`;
      const found = textHazard(key, child, 'key');
      if (found) return found;
      if (key === '__proto__' || ((key === 'constructor' || key === 'prototype') && v !== null && typeof v === 'object'))
        return { kind: 'forbidden_key', at: child, message: `forbidden key "${key}" at ${child}` };
      stack.push({ value: v, at: child });
    }
  }
  return undefined;
}
