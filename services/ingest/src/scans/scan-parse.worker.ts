/** A parse worker: reads scan bodies off the main thread (see scan-parse.pool.ts). */
import { parentPort } from 'node:worker_threads';
import { prepareScan, type PrepareRequest, type PrepareResult } from './scan-prepare.js';

export interface ParseTask {
  id: number;
  req: PrepareRequest;
}

export type ParseReply = { id: number; result: PrepareResult } | { id: number; crash: string };

const port = parentPort;
if (!port) throw new Error('scan-parse.worker must run as a worker thread');
port.on('message', (task: ParseTask) => {
  let reply: ParseReply;
  try {
    reply = { id: task.id, result: prepareScan(task.req) };
  } catch (err) {
    reply = { id: task.id, crash: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  if (!('result' in reply) || !reply.result.ok) {
    port.postMessage(reply);
    return;
  }
  // Small Buffers share a pooled ArrayBuffer; hand over a buffer of the payload's own.
  const own = new Uint8Array(reply.result.payload);
  reply.result.payload = own;
  port.postMessage(reply, [own.buffer]);
});
