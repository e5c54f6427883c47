import type { IacTool } from '@driftguard/contracts';

/** An instance key of a Terraform address: `[0]`, `["a"]`, `["a]b"]`. */
const INSTANCE_KEY = /\[(?:"(?:[^"\\]|\\.)*"|[^\]"]*)\]/g;

/**
 * What ingest records a declaring file under (iac_source_files.declares): Terraform addresses
 * without instance keys (`module.net["a"].aws_subnet.private[0]` → `module.net.aws_subnet.private`,
 * one block declares every instance), other tools' resource ids as they are.
 */
export function sourceKeyOf(tool: IacTool, address: string | undefined): string | null {
  if (!address) return null;
  return tool === 'terraform' ? address.replace(INSTANCE_KEY, '') : address;
}
