import { findBlock, hasBlock, type HclItem } from './hcl-source.js';
import { hclBlock, hclBody, HclExpression, hclValue, isBlockList, type HclValue } from './hcl.render.js';

/** What to write into a resource block: arguments at their new values, arguments to drop, secret variables to declare. */
export interface BlockEdit {
  set: { [attribute: string]: HclValue };
  remove: readonly string[];
  variables: readonly string[];
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

const lineStartOf = (src: string, at: number) => src.lastIndexOf('\n', at - 1) + 1;
const indentOf = (src: string, lineStart: number) => /^[ \t]*/.exec(src.slice(lineStart))![0];

function applyEdits(src: string, edits: Edit[]): string {
  let out = src;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end))
    out = `${out.slice(0, e.start)}${e.text}${out.slice(e.end)}`;
  return out;
}

/** An empty list or null: what a block type with no blocks reads as in state. */
const noBlocks = (v: HclValue) => v === null || (Array.isArray(v) && v.length === 0);

/**
 * The Terraform file with the block `resource "<type>" "<name>"` edited in place: each argument
 * in `set` replaced where it is written (nested blocks rewritten as blocks) or added before the
 * block's closing brace, each in `remove` deleted, and a `variable` block (sensitive) appended
 * for each secret the values refer to that the file does not declare yet. Everything else keeps
 * its bytes. Null, with the reason, when the block is not found or is written on one line with
 * content (such a block is edited by hand).
 */
export function editResourceBlock(
  src: string,
  type: string,
  name: string,
  edit: BlockEdit,
): { text: string } | { problem: string } {
  const block = findBlock(src, 'resource', [type, name]);
  if (!block) return { problem: `the file has no block resource "${type}" "${name}"` };
  const closeLine = lineStartOf(src, block.close);
  const singleLine = !src.slice(block.open, block.close).includes('\n');
  if (singleLine && block.items.length > 0) return { problem: `resource "${type}" "${name}" is written on one line` };
  if (!singleLine && src.slice(closeLine, block.close).trim() !== '')
    return { problem: `the closing brace of resource "${type}" "${name}" shares its line with an argument` };
  const itemIndent = block.items[0] ? indentOf(src, block.items[0].lineStart) : `${block.indent}  `;
  const edits: Edit[] = [];
  const inserted: string[] = [];
  const drop = (items: HclItem[]) => items.forEach((i) => edits.push({ start: i.lineStart, end: i.lineEnd, text: '' }));

  for (const [attr, value] of Object.entries(edit.set)) {
    const existing = block.items.filter((i) => i.name === attr);
    const asBlocks = isBlockList(value) || (existing.length > 0 && existing.every((i) => i.kind === 'block'));
    if (asBlocks) {
      if (noBlocks(value)) {
        drop(existing);
        continue;
      }
      const rendered = hclBody({ [attr]: value }, itemIndent);
      const [first, ...rest] = existing;
      if (first) edits.push({ start: first.lineStart, end: first.lineEnd, text: rendered });
      else inserted.push(rendered);
      drop(rest);
      continue;
    }
    const attribute = existing.find((i) => i.kind === 'attribute');
    if (attribute) {
      edits.push({ start: attribute.exprStart, end: attribute.exprEnd, text: hclValue(value, itemIndent) });
      drop(existing.filter((i) => i !== attribute));
    } else {
      drop(existing);
      inserted.push(hclBody({ [attr]: value }, itemIndent));
    }
  }
  for (const attr of edit.remove) drop(block.items.filter((i) => i.name === attr));

  if (inserted.length > 0) {
    if (singleLine) edits.push({ start: block.open, end: block.close + 1, text: `{\n${inserted.join('')}${block.indent}}` });
    else edits.push({ start: closeLine, end: closeLine, text: inserted.join('') });
  }
  let text = applyEdits(src, edits);
  const missing = edit.variables.filter((v) => !hasBlock(src, 'variable', [v]));
  if (missing.length > 0) {
    const vars = missing.map((v) => hclBlock('variable', [v], { type: new HclExpression('string'), sensitive: true }));
    text = `${text}${text.endsWith('\n') ? '' : '\n'}\n${vars.join('\n')}`;
  }
  return { text };
}
