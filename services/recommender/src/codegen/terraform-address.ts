/** A Terraform resource instance address split into its parts. */
export interface TerraformAddress {
  /** `module.net.` prefix, empty in the root module */
  module: string;
  type: string;
  name: string;
  /** `[0]`, `["a"]` or empty */
  index: string;
  /** the address as written, e.g. `module.net.aws_subnet.private["a"]` */
  full: string;
}

const ADDRESS =
  /^(?<module>(?:module\.[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\]]*\])?\.)*)(?<type>[A-Za-z][A-Za-z0-9_]*)\.(?<name>[A-Za-z_][A-Za-z0-9_-]*)(?<index>\[[^\]]*\])?$/;

/** Parses a managed resource's address; null for data sources and anything else. */
export function parseTerraformAddress(address: string | undefined): TerraformAddress | null {
  if (!address || address.startsWith('data.')) return null;
  const m = ADDRESS.exec(address);
  if (!m?.groups) return null;
  const { module = '', type = '', name = '', index = '' } = m.groups;
  return { module, type, name, index, full: address };
}
