/**
 * Linear scans over JSON text used before / after JSON.parse on untrusted scan bodies:
 * a nesting-depth check with no recursion, and (on the error path only) a locator that turns
 * an offset into a JSON pointer, line and column.
 */

/** Returns the offset of the first `{`/`[` nested deeper than maxDepth, or -1. */
export function findExcessiveNesting(text: string, maxDepth: number): number {
  const v = findShapeViolation(text, maxDepth, Infinity);
  return v ? v.offset : -1;
}

/**
 * The first `{`/`[` nested deeper than maxDepth, or past the maxContainers-th container: both
 * are found in one linear pass over the text, before a parser builds anything.
 */
export function findShapeViolation(
  text: string,
  maxDepth: number,
  maxContainers: number,
): { kind: 'depth' | 'containers'; offset: number } | undefined {
  let depth = 0;
  let containers = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = skipString(text, i);
      if (i < 0) return undefined; // unterminated: the parser reports it
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return { kind: 'depth', offset: i };
      if (++containers > maxContainers) return { kind: 'containers', offset: i };
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
  return undefined;
}

/** Given the index of an opening quote, returns the index of the closing quote (or -1). */
function skipString(text: string, open: number): number {
  let i = open + 1;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0) return -1;
    let backslashes = 0;
    for (let j = close - 1; j > open && text.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return close;
    i = close + 1;
  }
}

interface Frame {
  array: boolean;
  key: string | undefined;
  index: number;
  expectKey: boolean;
}

/** JSON pointer of the value that starts (or is being read) at `offset`. Best effort on bad JSON. */
export function pointerAtOffset(text: string, offset: number): string {
  const stack: Frame[] = [];
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 34) {
      const close = skipString(text, i);
      if (close < 0) break;
      if (top && !top.array && top.expectKey) top.key = decodeKey(text.slice(i, close + 1));
      i = close;
    } else if (c === 123) stack.push({ array: false, key: undefined, index: 0, expectKey: true });
    else if (c === 91) stack.push({ array: true, key: undefined, index: 0, expectKey: false });
    else if (c === 125 || c === 93) stack.pop();
    else if (c === 58 && top) top.expectKey = false;
    else if (c === 44 && top) {
      if (top.array) top.index++;
      else top.expectKey = true;
    }
  }
  let pointer = '';
  for (const f of stack) {
    const seg = f.array ? String(f.index) : (f.key ?? '');
    pointer += '/' + seg.replace(/~/g, '~0').replace(/\//g, '~1');
  }
  return pointer;
}

function decodeKey(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

const WS = new Set([32, 9, 10, 13]);

/**
 * Offset of the first syntax error in `text`, for messages only (called after JSON.parse failed
 * and its message had no position). A small validator; never used on the happy path.
 */
export function locateJsonError(text: string): number {
  let i = 0;
  const n = text.length;
  const skipWs = (): void => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  /** Reads `"key" :` at i; the offset of the fault when it is not there. */
  const readKey = (): number | undefined => {
    if (text[i] !== '"') return i;
    const close = skipString(text, i);
    if (close < 0) return n;
    i = close + 1;
    skipWs();
    if (text[i] !== ':') return i;
    i++;
    return undefined;
  };
  // Each frame: 'o' expecting key, 'O' after value in object, 'a' expecting value, 'A' after value.
  const stack: string[] = [];
  let wantValue = true;
  while (true) {
    skipWs();
    if (i >= n) return n;
    const ch = text[i]!;
    if (wantValue) {
      if (ch === '{') {
        i++;
        skipWs();
        if (text[i] === '}') {
          i++;
          wantValue = false;
          continue;
        }
        stack.push('O');
        const bad = readKey();
        if (bad !== undefined) return bad;
        continue;
      }
      if (ch === '[') {
        i++;
        skipWs();
        if (text[i] === ']') {
          i++;
          wantValue = false;
          continue;
        }
        stack.push('A');
        continue;
      }
      if (ch === '"') {
        const close = skipString(text, i);
        if (close < 0) return n;
        i = close + 1;
        wantValue = false;
        continue;
      }
      const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
      if (!m) return i;
      i += m[0].length;
      wantValue = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) return i; // trailing content
    if (ch === ',') {
      i++;
      skipWs();
      if (top === 'O') {
        const bad = readKey();
        if (bad !== undefined) return bad;
      }
      wantValue = true;
      continue;
    }
    if ((ch === '}' && top === 'O') || (ch === ']' && top === 'A')) {
      stack.pop();
      i++;
      continue;
    }
    return i;
  }
}
