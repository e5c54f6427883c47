export { installSignalHandlers, type Destroyable, type ShutdownHandle, type SignalOptions } from './signals.js';
