/**
 * A small pool of parse workers (worker_threads): scan bodies are parsed, adapted and diffed
 * there, so the service keeps answering (/healthz, other requests) while a 50 MB scan is read.
 * Threads start on first use; a worker that dies (out of its memory budget, a crash) fails only
 * its own task and is replaced.
 */
import { Worker } from 'node:worker_threads';
import { ScanFormatError } from '../model/scan-format.error.js';
import type { PrepareRequest, PrepareResult } from './scan-prepare.js';
import type { ParseReply } from './scan-parse.worker.js';

export interface ScanParsePool {
  prepare(req: PrepareRequest): Promise<PrepareResult>;
  close(): Promise<void>;
}

export interface ScanParsePoolOptions {
  /** Threads; scans beyond this many wait their turn. */
  size?: number;
  /** Old-generation heap of each worker: a body whose parse needs more is refused, not the process. */
  heapMb?: number;
}

interface Pending {
  id: number;
  req: PrepareRequest;
  resolve: (r: PrepareResult) => void;
  reject: (e: Error) => void;
}

const fromSource = import.meta.url.endsWith('.ts');

function spawn(heapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: heapMb };
  if (!fromSource) return new Worker(new URL('./scan-parse.worker.js', import.meta.url), { resourceLimits });
  return new Worker(new URL('./scan-parse.worker-bootstrap.mjs', import.meta.url), {
    resourceLimits,
    execArgv: ['--conditions=source'],
    workerData: { entry: new URL('./scan-parse.worker.ts', import.meta.url).href },
  });
}

export function createScanParsePool(opts: ScanParsePoolOptions = {}): ScanParsePool {
  const size = opts.size ?? 1;
  const heapMb = opts.heapMb ?? 1536;
  const queue: Pending[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  let live = 0;
  let nextId = 1;
  let closed = false;
  let drained: (() => void) | undefined;

  const finish = (w: Worker, keep: boolean) => {
    busy.delete(w);
    if (keep && !closed) idle.push(w);
    else live--;
    pump();
    if (queue.length === 0 && busy.size === 0) drained?.();
  };

  const start = (): Worker => {
    const w = spawn(heapMb);
    live++;
    w.on('message', (reply: ParseReply) => {
      const task = busy.get(w);
      if (!task || task.id !== reply.id) return;
      if ('crash' in reply) task.reject(new Error(`scan parse failed: ${reply.crash}`));
      else task.resolve(reply.result);
      finish(w, true);
    });
    w.on('error', (err: Error & { code?: string }) => {
      const task = busy.get(w);
      if (task && err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        const value = heapMb * 1024 * 1024;
        const msg = `reading the scan needs more than the parse memory budget of ${heapMb} MB`;
        task.reject(new ScanFormatError('too_large', task.req.format, '', msg, { limit: { limit: 'maxInflatedBytes', value } }));
      } else task?.reject(err);
    });
    w.on('exit', () => {
      const task = busy.get(w);
      task?.reject(new Error('scan parse worker exited'));
      const at = idle.indexOf(w);
      if (at >= 0) idle.splice(at, 1);
      if (busy.has(w) || at >= 0) finish(w, false);
    });
    return w;
  };

  function pump(): void {
    while (queue.length > 0) {
      const w = idle.pop() ?? (live < size ? start() : undefined);
      if (!w) return;
      const task = queue.shift()!;
      busy.set(w, task);
      w.postMessage({ id: task.id, req: task.req });
    }
  }

  return {
    prepare(req) {
      if (closed) return Promise.reject(new Error('scan parse pool is closed'));
      return new Promise<PrepareResult>((resolve, reject) => {
        queue.push({ id: nextId++, req, resolve, reject });
        pump();
      });
    },
    /** Lets the scans being read finish (their requests and the processor wait on them), then ends the threads. */
    async close() {
      if (queue.length > 0 || busy.size > 0) await new Promise<void>((resolve) => (drained = resolve));
      closed = true;
      const all = idle.splice(0);
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
