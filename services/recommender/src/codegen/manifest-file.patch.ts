import { isDeepStrictEqual } from 'node:util';
import jsonPatch, { type Operation } from 'fast-json-patch';
import { isScalar, isSeq, parseAllDocuments, type Document, type ToStringOptions } from 'yaml';
import { carryOver } from './file-diff.js';
import { parsePointer } from './json-pointer.js';

/** Which document of a file declares the resource (a Kubernetes object, a template with the logical id). */
export type DocumentMatch = (value: unknown) => boolean;

export type FileEdit = { text: string } | { problem: string };

const looksLikeJson = (src: string) => /^\s*[[{]/.test(src);

/**
 * The YAML stream or JSON file with RFC 6902 operations applied to the one document `match`
 * picks: a YAML document is edited through yaml's Document (comments and the other documents
 * kept), a JSON file through its parsed value, and in both the changed lines are carried back to
 * the file as written (see carryOver). A `replace` of a path the document does not have adds it.
 */
export function editManifestFile(src: string, match: DocumentMatch, ops: readonly Operation[]): FileEdit {
  return looksLikeJson(src) ? editJson(src, match, ops) : editYaml(src, match, ops);
}

function editJson(src: string, match: DocumentMatch, ops: readonly Operation[]): FileEdit {
  let parsed: unknown;
  try {
    parsed = JSON.parse(src);
  } catch (err) {
    return { problem: `the file is not valid JSON: ${(err as Error).message}` };
  }
  if (!match(parsed)) return { problem: 'the file does not declare the resource' };
  let edited: unknown = structuredClone(parsed);
  try {
    for (const op of ops) edited = jsonPatch.applyOperation(edited, effective(edited, op), true, true, false).newDocument;
  } catch (err) {
    return { problem: `the change does not fit the file: ${(err as Error).message}` };
  }
  const indent = /\n([ \t]+)"/.exec(src)?.[1] ?? '  ';
  const newline = src.endsWith('\n') ? '\n' : '';
  const render = (v: unknown) => `${JSON.stringify(v, null, indent)}${newline}`;
  const expected = edited;
  const text = carryOver(src, render(parsed), render(edited), (t) => {
    try {
      return isDeepStrictEqual(JSON.parse(t), expected);
    } catch {
      return false;
    }
  });
  return { text };
}

/** `replace` of a missing value is an `add`, as the live state derivation does. */
function effective(doc: unknown, op: Operation): Operation {
  if (op.op !== 'replace') return op;
  try {
    return jsonPatch.getValueByPointer(doc, op.path) === undefined ? { ...op, op: 'add' } : op;
  } catch {
    return { ...op, op: 'add' };
  }
}

/** Sequences indented under their key (`key:\n  - a`) or level with it (`key:\n- a`), as the file writes them. */
function renderOptions(src: string): ToStringOptions {
  const levelWithKey = /^( *)[^\s#-][^\n]*:[ \t]*\r?\n\1- /m.test(src);
  return { lineWidth: 0, flowCollectionPadding: false, indentSeq: !levelWithKey };
}

function applyToDocument(doc: Document, op: Operation): void {
  const segs = parsePointer(op.path);
  switch (op.op) {
    case 'remove':
      if (!doc.hasIn(segs)) throw new Error(`${op.path} is not in the document`);
      doc.deleteIn(segs);
      return;
    case 'add':
    case 'replace': {
      const parent: unknown = doc.getIn(segs.slice(0, -1), true);
      const last = segs.at(-1) ?? '';
      if (isSeq(parent) && op.op === 'add') {
        const node = doc.createNode(op.value);
        if (last === '-') parent.items.push(node);
        else parent.items.splice(Number(last), 0, node);
        return;
      }
      const current: unknown = doc.getIn(segs, true);
      const value: unknown = op.value;
      // A scalar replaced by a scalar keeps its node, and with it the comment beside it.
      if (isScalar(current) && (value === null || typeof value !== 'object')) current.value = value;
      else doc.setIn(segs, doc.createNode(value));
      return;
    }
    case 'move':
    case 'copy':
    case 'test':
    case '_get':
      throw new Error(`unsupported operation ${op.op}`);
    default: {
      const never: never = op;
      throw new Error(`unknown operation ${JSON.stringify(never)}`);
    }
  }
}

const plainOf = (d: Document): unknown => d.toJS();

function editYaml(src: string, match: DocumentMatch, ops: readonly Operation[]): FileEdit {
  const parse = (text: string) => parseAllDocuments(text);
  const docs = parse(src);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return { problem: 'the file is not valid YAML' };
  const index = docs.findIndex((d) => match(plainOf(d)));
  if (index === -1) return { problem: 'the file does not declare the resource' };
  const options = renderOptions(src);
  const render = (ds: readonly Document[]) => ds.map((d) => d.toString(options)).join('');
  const before = render(docs);
  const target = docs[index]!;
  try {
    for (const op of ops) applyToDocument(target, op);
  } catch (err) {
    return { problem: `the change does not fit the file: ${(err as Error).message}` };
  }
  const expected = docs.map(plainOf);
  const text = carryOver(src, before, render(docs), (t) => {
    const again = parse(t);
    return Array.isArray(again) && again.every((d) => d.errors.length === 0) && isDeepStrictEqual(again.map(plainOf), expected);
  });
  return { text };
}
