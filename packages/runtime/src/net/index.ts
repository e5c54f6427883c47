export { blockedAddressClass, parseIpAddress, type BlockedAddressClass } from './address-class.js';
export { outboundAllowVar, parseOutboundAllowList, type OutboundAllowEntry, type OutboundAllowList } from './outbound-allow.js';
export {
  createOutboundGuard,
  OutboundRefusedError,
  type OutboundGuard,
  type OutboundGuardOptions,
  type OutboundLookup,
  type OutboundRefusalReason,
  type VettedAddress,
} from './outbound-guard.js';
export { outboundTarget, type OutboundScheme, type OutboundTarget } from './outbound-target.js';
