export { installSignalHandlers, type Destroyable, type ShutdownHandle, type SignalOptions } from './signals.js';
export { createRepeatingTask, type RepeatingTask, type RepeatingTaskOptions } from './repeating-task.js';
