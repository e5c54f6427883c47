export { createLogger, subsystemLogger, type Logger, type LoggerOptions } from './logger.js';
export { REDACT_PATHS, REDACTED, scrubText } from './redaction.js';
