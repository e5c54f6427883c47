import { createRequire } from 'node:module';
import { posix } from 'node:path';
import type { Json } from '../model/observation.js';
import { listFiles, readSmallFile, RepositoryFileError, type DeclaringFile } from './repository-files.js';
import { maskHclSource } from './source-mask.js';

interface HclParser {
  parse(filename: string, contents: string): Promise<unknown>;
}
const isHclParser = (m: unknown): m is HclParser =>
  typeof m === 'object' && m !== null && 'parse' in m && typeof m.parse === 'function';

let parser: HclParser | undefined;

/**
 * HashiCorp's HCL parser compiled to WebAssembly (@cdktf/hcl2json), loaded on first use. Through
 * require: the package's type declarations pull the DOM library into the whole program.
 */
function hclParser(): HclParser {
  if (parser) return parser;
  const loaded: unknown = createRequire(import.meta.url)('@cdktf/hcl2json');
  if (!isHclParser(loaded)) throw new Error('@cdktf/hcl2json has no parse function');
  parser = loaded;
  return parser;
}

const isRecord = (v: unknown): v is { [k: string]: unknown } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A `.tf` file as HashiCorp's parser reads it, or RepositoryFileError naming the file and HCL's message. */
export async function parseTerraformFile(file: string, text: string): Promise<Json> {
  let parsed: unknown;
  try {
    parsed = await hclParser().parse(file, text);
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'does not parse';
    throw new RepositoryFileError(file, message.replace(/^parse config: /, ''), { cause: err });
  }
  // hcl2json returns JSON.parse output: plain data.
  return JSON.parse(JSON.stringify(parsed ?? {})) as Json;
}

/** What one Terraform file declares: managed resource blocks (`type.name`) and local module calls. */
export interface TerraformFileBlocks {
  resources: string[];
  /** module name → the directory its `source` names, relative to the repository root */
  modules: Map<string, string>;
}

export function terraformBlocks(file: string, parsed: Json): TerraformFileBlocks {
  const resources: string[] = [];
  const modules = new Map<string, string>();
  if (!isRecord(parsed)) return { resources, modules };
  const resource = parsed['resource'];
  if (isRecord(resource)) {
    for (const [type, byName] of Object.entries(resource)) {
      if (isRecord(byName)) for (const name of Object.keys(byName)) resources.push(`${type}.${name}`);
    }
  }
  const calls = parsed['module'];
  if (isRecord(calls)) {
    for (const [name, bodies] of Object.entries(calls)) {
      const body: unknown = Array.isArray(bodies) ? bodies[0] : bodies;
      const source = isRecord(body) ? body['source'] : undefined;
      if (typeof source !== 'string' || !(source.startsWith('./') || source.startsWith('../'))) continue;
      const dir = posix.normalize(posix.join(posix.dirname(file), source));
      if (!dir.startsWith('..')) modules.set(name, dir === '.' ? '' : dir.replace(/\/$/, ''));
    }
  }
  return { resources, modules };
}

const MAX_MODULE_DEPTH = 16;

/**
 * The addresses each file declares, module-qualified as Terraform writes them in state
 * (`module.net.aws_subnet.private`, instance keys left out). A directory no other directory
 * calls is a root module (several roots, such as one per environment, each qualify their own
 * modules); a module reached through several calls gets each address.
 */
export function declaredAddresses(files: ReadonlyMap<string, TerraformFileBlocks>): Map<string, string[]> {
  const dirOf = (f: string) => (posix.dirname(f) === '.' ? '' : posix.dirname(f));
  const byDir = new Map<string, string[]>();
  for (const f of files.keys()) byDir.set(dirOf(f), [...(byDir.get(dirOf(f)) ?? []), f]);
  const called = new Set<string>();
  for (const blocks of files.values()) for (const dir of blocks.modules.values()) called.add(dir);
  const out = new Map<string, Set<string>>();
  const visit = (dir: string, prefix: string, depth: number, path: ReadonlySet<string>): void => {
    if (depth > MAX_MODULE_DEPTH || path.has(dir)) return;
    const inPath = new Set(path).add(dir);
    for (const f of byDir.get(dir) ?? []) {
      const blocks = files.get(f)!;
      const set = out.get(f) ?? new Set<string>();
      for (const r of blocks.resources) set.add(`${prefix}${r}`);
      out.set(f, set);
      for (const [name, target] of blocks.modules) visit(target, `${prefix}module.${name}.`, depth + 1, inPath);
    }
  };
  for (const dir of byDir.keys()) if (!called.has(dir)) visit(dir, '', 0, new Set());
  return new Map([...out].map(([f, set]) => [f, [...set].sort()]));
}

/**
 * The `.tf` files of a checked-out Terraform repository that declare managed resources, with
 * their secret literals masked and the addresses each declares. HCL is parsed, never evaluated:
 * a file that does not parse throws RepositoryFileError, so a sync never stores half a module.
 */
export async function readTerraformSources(root: string): Promise<{ sources: DeclaringFile[]; files: number }> {
  const paths = await listFiles(root, /\.tf$/i);
  const blocks = new Map<string, TerraformFileBlocks>();
  const parsedOf = new Map<string, { text: string; parsed: Json }>();
  for (const path of paths) {
    const text = await readSmallFile(root, path);
    const parsed = await parseTerraformFile(path, text);
    blocks.set(path, terraformBlocks(path, parsed));
    parsedOf.set(path, { text, parsed });
  }
  const sources: DeclaringFile[] = [];
  for (const [path, declares] of declaredAddresses(blocks)) {
    const file = parsedOf.get(path);
    if (!file || declares.length === 0) continue;
    sources.push({ path, text: maskHclSource(file.text, file.parsed), declares });
  }
  sources.sort((a, b) => a.path.localeCompare(b.path));
  return { sources, files: paths.length };
}
