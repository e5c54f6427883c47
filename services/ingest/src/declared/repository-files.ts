import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isCloudFormationTemplate, parseTemplate, readTemplateObject } from './cloudformation.reader.js';
import { DeclaredFormatError } from './declared-format.error.js';
import { identityProblem, withoutUnstorable, type DeclaredResource, type RejectedItem } from './declared-resource.js';
import { cloudFormationTags } from './cloudformation-yaml-tags.js';
import { readKubernetesManifests } from './kubernetes.reader.js';
import { maskYamlSource } from './source-mask.js';
import { DECLARED_LIMITS } from '../limits.js';

export type FileTool = 'kubernetes' | 'cloudformation';

/** A file that declares resources: its text with secrets masked (source-mask.ts) and what it declares. */
export interface DeclaringFile {
  /** relative to the repository root, POSIX separators */
  path: string;
  /** the text as stored: secrets masked */
  text: string;
  /** the resource ids (Terraform: module-qualified addresses without instance keys) it declares */
  declares: string[];
}

export interface RepositoryFilesResult {
  resources: DeclaredResource[];
  /** `<file>#<pointer>`: parts of files that could not become resources */
  rejected: RejectedItem[];
  /** things worth knowing that did not stop a resource: renamed CloudFormation logical ids */
  warnings: RejectedItem[];
  /** files that declared something */
  files: number;
  /** those files' masked text and the resources each declares */
  sources: DeclaringFile[];
}

/** A file of the repository that cannot be read; the sync stops so no resource is dropped by mistake. */
export class RepositoryFileError extends Error {
  override readonly name = 'RepositoryFileError';
  readonly code = 'unreadable_file';
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

const MAX_FILE_BYTES = DECLARED_LIMITS.maxRepositoryFileBytes;
const MAX_FILES = 50_000;
const EXTENSIONS: Record<FileTool, RegExp> = {
  kubernetes: /\.(ya?ml|json)$/i,
  cloudformation: /\.(ya?ml|json|template)$/i,
};

/**
 * Reads the declared resources of a checked-out repository. Kubernetes: every YAML or JSON file
 * mentioning apiVersion and kind (a Helm chart's templates/ and charts/ are skipped: they are
 * Go templates, not manifests). CloudFormation: every file that is a template (AWSTemplateFormatVersion,
 * or Resources of AWS:: types). Resource ids carry nothing of the file path, except for a
 * CloudFormation logical id declared by several templates: each becomes `<template path>#<id>` and
 * is reported in `warnings`. A candidate file that does not parse throws RepositoryFileError.
 */
export async function readRepositoryFiles(root: string, tool: FileTool): Promise<RepositoryFilesResult> {
  const files = await listFiles(root, EXTENSIONS[tool]);
  const result: RepositoryFilesResult = { resources: [], rejected: [], warnings: [], files: 0, sources: [] };
  const perFile: { file: string; resources: DeclaredResource[] }[] = [];
  const texts = new Map<string, string>();
  for (const file of files) {
    const text = await readSmallFile(root, file);
    const parsed = tool === 'kubernetes' ? readManifestFile(file, text) : readTemplateFile(file, text);
    if (parsed === undefined) continue;
    const read = withoutUnstorable(parsed, text);
    if (read.resources.length > 0) {
      result.files++;
      texts.set(file, text);
    }
    perFile.push({ file, resources: read.resources });
    result.rejected.push(...read.rejected.map((r) => ({ path: `${file}#${r.path}`, reason: r.reason })));
  }
  const declares = new Map<string, string[]>();
  const merged = tool === 'kubernetes' ? mergeManifests(perFile, result, declares) : mergeTemplates(perFile, result, declares);
  for (const [path, ids] of declares) {
    const text = texts.get(path);
    if (text === undefined) continue;
    merged.sources.push({
      path,
      text: maskYamlSource(text, tool === 'cloudformation' ? cloudFormationTags : undefined),
      declares: ids,
    });
  }
  return merged;
}

function declare(declares: Map<string, string[]>, file: string, id: string): void {
  declares.set(file, [...(declares.get(file) ?? []), id]);
}

function readManifestFile(file: string, text: string) {
  if (!text.includes('apiVersion') || !text.includes('kind')) return undefined;
  try {
    return readKubernetesManifests(text, { skipNonManifests: true });
  } catch (err) {
    if (err instanceof DeclaredFormatError) throw new RepositoryFileError(file, err.message, { cause: err });
    throw err;
  }
}

function readTemplateFile(file: string, text: string) {
  if (!text.includes('Resources') || !(text.includes('AWSTemplateFormatVersion') || text.includes('AWS::'))) return undefined;
  let template: unknown;
  try {
    template = parseTemplate(text);
  } catch (err) {
    if (!(err instanceof DeclaredFormatError)) throw err;
    // Only a file that says it is a template must parse; others merely mention AWS types.
    if (text.includes('AWSTemplateFormatVersion')) throw new RepositoryFileError(file, err.message, { cause: err });
    return undefined;
  }
  if (!isCloudFormationTemplate(template)) return undefined;
  try {
    return readTemplateObject(template);
  } catch (err) {
    if (err instanceof DeclaredFormatError) throw new RepositoryFileError(file, err.message, { cause: err });
    throw err;
  }
}

/** The same object declared in two files: the first file (in path order) wins. */
function mergeManifests(
  perFile: { file: string; resources: DeclaredResource[] }[],
  result: RepositoryFilesResult,
  declares: Map<string, string[]>,
): RepositoryFilesResult {
  const owner = new Map<string, string>();
  for (const { file, resources } of perFile) {
    for (const resource of resources) {
      const first = owner.get(resource.resourceId);
      if (first !== undefined) {
        result.rejected.push({ path: file, reason: `${resource.resourceId} is already declared in ${first}` });
        continue;
      }
      owner.set(resource.resourceId, file);
      result.resources.push(resource);
      declare(declares, file, resource.resourceId);
    }
  }
  return result;
}

/** A logical id in several templates is qualified by each template's path. */
function mergeTemplates(
  perFile: { file: string; resources: DeclaredResource[] }[],
  result: RepositoryFilesResult,
  declares: Map<string, string[]>,
): RepositoryFilesResult {
  const filesOf = new Map<string, string[]>();
  for (const { file, resources } of perFile) {
    for (const r of resources) filesOf.set(r.resourceId, [...(filesOf.get(r.resourceId) ?? []), file]);
  }
  for (const { file, resources } of perFile) {
    for (const resource of resources) {
      const files = filesOf.get(resource.resourceId)!;
      if (files.length === 1) {
        result.resources.push(resource);
        declare(declares, file, resource.resourceId);
        continue;
      }
      const qualified = `${file}#${resource.resourceId}`;
      const problem = identityProblem(resource.resourceType, qualified);
      if (problem !== null) {
        result.rejected.push({ path: `${file}#/Resources/${resource.resourceId}`, reason: problem });
        continue;
      }
      const others = files.filter((f) => f !== file).join(', ');
      result.warnings.push({
        path: `${file}#/Resources/${resource.resourceId}`,
        reason: `logical id ${resource.resourceId} is also declared in ${others}; stored as ${qualified}`,
      });
      result.resources.push({ ...resource, resourceId: qualified });
      declare(declares, file, qualified);
    }
  }
  return result;
}

/** Regular files under root matching `pattern`, as sorted POSIX paths; symlinks, dot-directories and Helm templates skipped. */
export async function listFiles(root: string, pattern: RegExp): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    // A Helm chart's templates (and its vendored charts) are Go templates, not manifests; crds/ are plain.
    const chart = entries.some((e) => e.isFile() && e.name === 'Chart.yaml');
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      if (chart && entry.isDirectory() && (entry.name === 'templates' || entry.name === 'charts')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && pattern.test(entry.name)) {
        if (out.length >= MAX_FILES)
          throw new RepositoryFileError(relative(root, path), `the repository has more than ${MAX_FILES} candidate files`);
        out.push(relative(root, path).split(sep).join('/'));
      }
    }
  };
  await walk(root);
  return out.sort();
}

export async function readSmallFile(root: string, file: string): Promise<string> {
  const path = join(root, file);
  const info = await lstat(path);
  if (!info.isFile()) throw new RepositoryFileError(file, 'not a regular file');
  if (info.size > MAX_FILE_BYTES)
    throw new RepositoryFileError(file, `${info.size} bytes; files over ${MAX_FILE_BYTES} bytes are not read`);
  const text = await readFile(path, 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
