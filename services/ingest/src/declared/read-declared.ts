import type { IacTool } from '@driftguard/contracts';
import { readCloudFormationTemplate } from './cloudformation.reader.js';
import { DeclaredFormatError } from './declared-format.error.js';
import { formatsForTool, withoutUnstorable, type DeclaredFormat, type DeclaredReadResult } from './declared-resource.js';
import { decodeDeclaredBytes, parseJsonText } from './declared-text.js';
import { readKubernetesManifests } from './kubernetes.reader.js';
import { readTerraformState } from './terraform.reader.js';

export interface ReadDeclaredInput {
  /** the repository's tool: decides which formats are accepted */
  tool: IacTool;
  /** raw bytes, optionally gzip-compressed */
  bytes: Uint8Array;
  /** forces one of the tool's formats (terraform: tfstate or terraform-show-json); detected otherwise */
  format?: DeclaredFormat;
}

/**
 * Reads an uploaded declared state for a repository of `tool`. Throws DeclaredFormatError for a
 * format the tool does not take or for input that cannot be read; nothing is half-read.
 */
export function readDeclared(input: ReadDeclaredInput): DeclaredReadResult {
  const accepted = formatsForTool(input.tool);
  const format = input.format ?? accepted[0]!;
  if (!accepted.includes(format)) {
    throw new DeclaredFormatError(
      'wrong_format',
      format,
      '',
      `a ${input.tool} repository takes ${accepted.join(' or ')}, not ${format}`,
    );
  }
  const text = decodeDeclaredBytes(input.bytes, format);
  if (text.trim() === '') throw new DeclaredFormatError('invalid_structure', format, '', 'the declared state is empty');
  return withoutUnstorable(readText(input.tool, text, format, input.format !== undefined), text);
}

function readText(tool: IacTool, text: string, format: DeclaredFormat, forced: boolean): DeclaredReadResult {
  switch (tool) {
    case 'terraform':
      return readTerraformState(parseJsonText(text, format), forced ? (format as 'tfstate' | 'terraform-show-json') : undefined);
    case 'kubernetes':
      return readKubernetesManifests(text);
    case 'cloudformation':
      return readCloudFormationTemplate(text);
    default: {
      const unknownTool: never = tool;
      throw new Error(`unknown IaC tool ${String(unknownTool)}`);
    }
  }
}
