import { createRequire } from 'node:module';
import type { JsonValue, RecommendationStep, StepPatch } from '@driftguard/contracts';
import jsonPatch, { type Operation } from 'fast-json-patch';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

interface HclParser {
  parse(filename: string, contents: string): Promise<unknown>;
}
const isHclParser = (m: unknown): m is HclParser =>
  typeof m === 'object' && m !== null && 'parse' in m && typeof m.parse === 'function';

// Loaded through require: the package's type declarations pull the DOM library into the whole
// program (`/// <reference lib="dom" />`), which breaks Node's own types elsewhere.
const hcl2json: unknown = createRequire(import.meta.url)('@cdktf/hcl2json');

/** HCL parsed by HashiCorp's own parser (hcl2json, compiled to WebAssembly): blocks become arrays, references `${…}`. */
export async function parseHcl(content: string): Promise<unknown> {
  if (!isHclParser(hcl2json)) throw new Error('@cdktf/hcl2json has no parse function');
  return hcl2json.parse('generated.tf', content);
}

const Ops = z.array(
  z.discriminatedUnion('op', [
    z.object({ op: z.literal('add'), path: z.string(), value: z.unknown() }),
    z.object({ op: z.literal('replace'), path: z.string(), value: z.unknown() }),
    z.object({ op: z.literal('test'), path: z.string(), value: z.unknown() }),
    z.object({ op: z.literal('remove'), path: z.string() }),
    z.object({ op: z.literal('move'), path: z.string(), from: z.string() }),
    z.object({ op: z.literal('copy'), path: z.string(), from: z.string() }),
  ]),
);

/** Parses an RFC 6902 patch and applies it (validated) to a copy of `doc`. */
export function applyJsonPatch(doc: JsonValue, content: string): unknown {
  const ops: Operation[] = Ops.parse(JSON.parse(content));
  const errors = jsonPatch.validate(ops, structuredClone(doc));
  if (errors) throw errors;
  return jsonPatch.applyPatch(structuredClone(doc), ops, true, false).newDocument;
}

export const yamlOf = (content: string): unknown => parseYaml(content);

export function patchOf(steps: readonly RecommendationStep[], format: StepPatch['format']): StepPatch {
  const patch = steps.find((s) => s.patch?.format === format)?.patch;
  if (!patch) throw new Error(`no ${format} patch among ${steps.map((s) => s.title).join(' | ')}`);
  return patch;
}

/** The shape CloudFormation requires of a template: resources with a type and property objects. */
export const CloudFormationTemplate = z.object({
  AWSTemplateFormatVersion: z.literal('2010-09-09').optional(),
  Parameters: z.record(z.string(), z.object({ Type: z.string() })).optional(),
  Resources: z
    .record(
      z.string().regex(/^[A-Za-z0-9]+$/),
      z
        .object({
          Type: z.string().regex(/^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$/),
          Properties: z.record(z.string(), z.unknown()).optional(),
          DeletionPolicy: z.enum(['Delete', 'Retain', 'Snapshot', 'RetainExceptOnCreate']).optional(),
        })
        .strict(),
    )
    .refine((r) => Object.keys(r).length > 0, 'a template needs at least one resource'),
});
