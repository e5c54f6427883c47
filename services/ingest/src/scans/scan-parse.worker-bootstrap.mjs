// Runs the TypeScript worker from source (tests, `pnpm dg`); built code starts the .js directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
