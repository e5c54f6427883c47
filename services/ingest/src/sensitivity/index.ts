/** Secret detection and masking for ingest: one module every stored or published value passes. */
export { isSecretName, nameWords, SECRET_TERMS, DESCRIPTOR_WORDS } from './secret-names.js';
export { isSecretShaped, redactSecretShapes, SECRET_SHAPES, type SecretShape } from './secret-shapes.js';
export {
  canCarrySecret,
  holdsSecret,
  isSecretSlot,
  maskSecrets,
  maskSecretsIn,
  MAX_MASK_DEPTH,
  SecretMaskDepthError,
  SENSITIVE_MARKER,
  type MaskOptions,
} from './secret-mask.js';
export { createValueHasher, type ValueHasher } from './value-hash.js';
export { guardObservation, guardRejected, guardText, pathIsSecret } from './observation.gate.js';
