/**
 * Where things are in a Terraform file: just enough of HCL's native syntax (strings with
 * interpolation, heredocs, comments, brackets) to find a block and the attributes and nested
 * blocks of its body, with their offsets, so an edit touches only what it changes. It does not
 * evaluate or validate: the tests read every edited file back with HashiCorp's parser.
 */

type TokenKind = 'ident' | 'string' | 'heredoc' | 'open' | 'close' | 'equals' | 'newline' | 'other';

interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** identifiers: the name; quoted strings: the content without escapes resolved */
  text: string;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_-]/;

/** End of a quoted template starting at `i` (the opening quote), interpolations included. */
function stringEnd(src: string, i: number): number {
  let j = i + 1;
  while (j < src.length) {
    const c = src[j];
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else if (c === '\n')
      return j; // unterminated: stop at the line end
    else if ((c === '$' || c === '%') && src[j + 1] === c && src[j + 2] === '{')
      j += 3; // `$${`: a literal `${`
    else if ((c === '$' || c === '%') && src[j + 1] === '{') j = templateEnd(src, j + 2);
    else j++;
  }
  return j;
}

/** End of an interpolation body starting after `${`, nested braces and strings included. */
function templateEnd(src: string, i: number): number {
  let depth = 1;
  let j = i;
  while (j < src.length && depth > 0) {
    const c = src[j];
    if (c === '"') j = stringEnd(src, j);
    else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      j++;
    }
  }
  return j;
}

/** End of a heredoc whose `<<` starts at `i`, or -1 when it is not one. */
function heredocEnd(src: string, i: number): number {
  const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(src.slice(i, i + 200));
  if (!m) return -1;
  const marker = m[1]!;
  let lineStart = i + m[0].length;
  while (lineStart < src.length) {
    const nl = src.indexOf('\n', lineStart);
    const lineEnd = nl === -1 ? src.length : nl;
    if (src.slice(lineStart, lineEnd).trim() === marker) return lineEnd;
    lineStart = lineEnd + 1;
  }
  return src.length;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, text = '') => out.push({ kind, start, end, text });
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      push('newline', i, i + 1);
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      const nl = src.indexOf('\n', i);
      i = nl === -1 ? src.length : nl;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      // A comment spanning lines still ends the line it started on, as HCL reads it.
      if (src.slice(i, stop).includes('\n')) push('newline', stop - 1, stop);
      i = stop;
    } else if (c === '"') {
      const end = stringEnd(src, i);
      push('string', i, end, src.slice(i + 1, Math.max(i + 1, end - 1)));
      i = end;
    } else if (c === '<' && src[i + 1] === '<' && heredocEnd(src, i) !== -1) {
      const end = heredocEnd(src, i);
      push('heredoc', i, end);
      i = end;
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < src.length && IDENT_PART.test(src[j]!)) j++;
      push('ident', i, j, src.slice(i, j));
      i = j;
    } else if (c === '{' || c === '[' || c === '(') {
      push('open', i, i + 1, c);
      i++;
    } else if (c === '}' || c === ']' || c === ')') {
      push('close', i, i + 1, c);
      i++;
    } else if (c === '=' && src[i + 1] !== '=' && src[i + 1] !== '>' && !'=!<>'.includes(src[i - 1] ?? '')) {
      push('equals', i, i + 1);
      i++;
    } else {
      push('other', i, i + 1, c);
      i++;
    }
  }
  return out;
}

/** An argument (`name = expr`) or a nested block (`name "label" { … }`) of a body. */
export interface HclItem {
  kind: 'attribute' | 'block';
  name: string;
  /** start of the item's first line */
  lineStart: number;
  /** after the newline ending the item (or the body's closing brace line start) */
  lineEnd: number;
  /** attributes: the expression's span */
  exprStart: number;
  exprEnd: number;
}

/** A block with the span of its body. */
export interface HclBlock {
  /** start of the header's line */
  lineStart: number;
  /** offset of `{` and of the matching `}` */
  open: number;
  close: number;
  /** indentation of the header line */
  indent: string;
  items: HclItem[];
}

const lineStartOf = (src: string, at: number) => src.lastIndexOf('\n', at - 1) + 1;

function lineEndAfter(src: string, at: number): number {
  const nl = src.indexOf('\n', at);
  return nl === -1 ? src.length : nl + 1;
}

/** Index of the token closing the bracket opened at token `k`. */
function matching(tokens: Token[], k: number): number {
  let depth = 0;
  for (let j = k; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind === 'open') depth++;
    else if (t.kind === 'close' && --depth === 0) return j;
  }
  return tokens.length - 1;
}

/** The items of the body between tokens `from` (after `{`) and `to` (the `}`). */
function bodyItems(src: string, tokens: Token[], from: number, to: number): HclItem[] {
  const items: HclItem[] = [];
  let k = from;
  while (k < to) {
    const t = tokens[k]!;
    if (t.kind !== 'ident') {
      k++;
      continue;
    }
    const next = tokens[k + 1];
    if (next?.kind === 'equals') {
      let j = k + 2;
      let depth = 0;
      while (j < to) {
        const u = tokens[j]!;
        if (u.kind === 'open') depth++;
        else if (u.kind === 'close') depth--;
        else if (u.kind === 'newline' && depth === 0) break;
        j++;
      }
      const last = tokens[j - 1]!;
      const exprEnd = j - 1 > k + 1 ? last.end : next.end;
      items.push({
        kind: 'attribute',
        name: t.text,
        lineStart: lineStartOf(src, t.start),
        lineEnd: j < to ? tokens[j]!.end : lineStartOf(src, tokens[to]!.start),
        exprStart: tokens[k + 2] && k + 2 < j ? tokens[k + 2]!.start : next.end,
        exprEnd,
      });
      k = j;
      continue;
    }
    let j = k + 1;
    while (j < to && (tokens[j]!.kind === 'string' || tokens[j]!.kind === 'ident')) j++;
    if (tokens[j]?.kind === 'open' && tokens[j]!.text === '{') {
      const close = matching(tokens, j);
      items.push({
        kind: 'block',
        name: t.text,
        lineStart: lineStartOf(src, t.start),
        lineEnd: lineEndAfter(src, tokens[close]!.start),
        exprStart: tokens[j]!.start,
        exprEnd: tokens[close]!.end,
      });
      k = close + 1;
      continue;
    }
    k = j + 1;
  }
  return items;
}

/**
 * The top-level block `<kind> "<label>" … { … }` with exactly these labels, or null. Only blocks
 * at the file's top level are considered (a nested block of the same shape is not a match).
 */
export function findBlock(src: string, kind: string, labels: readonly string[]): HclBlock | null {
  const tokens = tokenize(src);
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'open') depth++;
    else if (t.kind === 'close') depth--;
    if (depth !== 0 || t.kind !== 'ident' || t.text !== kind) continue;
    const atLineStart = k === 0 || tokens[k - 1]!.kind === 'newline';
    if (!atLineStart) continue;
    const found = labels.every((label, n) => tokens[k + 1 + n]?.kind === 'string' && tokens[k + 1 + n]!.text === label);
    const brace = tokens[k + 1 + labels.length];
    if (!found || brace?.kind !== 'open' || brace.text !== '{') continue;
    const closeIndex = matching(tokens, k + 1 + labels.length);
    const lineStart = lineStartOf(src, t.start);
    return {
      lineStart,
      open: brace.start,
      close: tokens[closeIndex]!.start,
      indent: /^[ \t]*/.exec(src.slice(lineStart))![0],
      items: bodyItems(src, tokens, k + 2 + labels.length, closeIndex),
    };
  }
  return null;
}

/** Whether the file declares a top-level block of this kind and labels. */
export const hasBlock = (src: string, kind: string, labels: readonly string[]): boolean => findBlock(src, kind, labels) !== null;
