/**
 * Cloud objects every account has that nobody declares (default VPC and its parts, service-linked
 * roles). Like driftctl's middlewares, they are not reported as unmanaged: that would be noise.
 */
import type { Json } from '../model/observation.js';
import { isRecord } from './input.guards.js';

type Attributes = Record<string, Json>;

const DEFAULT_OBJECTS: Record<string, (a: Attributes) => boolean> = {
  aws_vpc: (a) => a.default === true || a.is_default === true,
  aws_subnet: (a) => a.default_for_az === true,
  aws_security_group: (a) => a.name === 'default',
  aws_network_acl: (a) => a.default === true || a.is_default === true,
  aws_route_table: (a) => a.main === true,
  aws_vpc_dhcp_options: (a) => a.default === true,
  aws_iam_role: (a) => typeof a.path === 'string' && a.path.startsWith('/aws-service-role/'),
  aws_iam_policy: (a) => typeof a.arn === 'string' && a.arn.startsWith('arn:aws:iam::aws:policy/'),
};

export function isProviderDefault(type: string, attributes: Json): boolean {
  if (type.startsWith('aws_default_')) return true;
  const test = DEFAULT_OBJECTS[type];
  return test !== undefined && isRecord(attributes) && test(attributes);
}

/** aws_default_security_group and aws_security_group name the same kind of cloud object. */
export function matchType(type: string): string {
  const m = /^aws_default_(security_group|vpc|subnet|route_table|network_acl|vpc_dhcp_options)$/.exec(type);
  return m ? `aws_${m[1]}` : type;
}

/** Providers with no cloud objects: never in an inventory, never "deleted". */
export const LOCAL_PROVIDERS = new Set([
  'null',
  'random',
  'tls',
  'local',
  'time',
  'external',
  'http',
  'archive',
  'template',
  'cloudinit',
  'terraform',
]);

export function localProvider(type: string, provider: string): boolean {
  if (type === 'terraform_data') return true;
  const short = provider.split('/').pop() ?? provider;
  return LOCAL_PROVIDERS.has(short) || LOCAL_PROVIDERS.has(type.slice(0, type.indexOf('_')));
}
