import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installSignalHandlers } from '../src/lifecycle/index.js';
import { capturingLogger } from './support.js';

/** A stand-in for `process`: signals are emitted by the test, exit codes recorded. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  let exited: (code: number) => void = () => undefined;
  const exitedOnce = new Promise<number>((resolve) => (exited = resolve));
  const proc = {
    once: (event: string, fn: () => void) => emitter.once(event, fn),
    exit: (code?: number) => {
      exits.push(code ?? 0);
      exited(code ?? 0);
    },
  } as unknown as Pick<NodeJS.Process, 'once' | 'exit'>;
  return { proc, emit: (signal: string) => emitter.emit(signal), exits, exitedOnce };
}

describe('installSignalHandlers', () => {
  it('turns the first SIGTERM into one destroy, runs the hooks after it and exits 0', async () => {
    const fake = fakeProcess();
    const order: string[] = [];
    let destroys = 0;
    const handle = installSignalHandlers(
      { destroy: async () => void (destroys++, order.push('destroy')) },
      capturingLogger().log,
      { proc: fake.proc },
    );
    handle.onShutdown(() => void order.push('flush telemetry'));
    fake.emit('SIGTERM');
    fake.emit('SIGINT');
    expect(await fake.exitedOnce).toBe(0);
    expect(destroys).toBe(1);
    expect(order).toEqual(['destroy', 'flush telemetry']);
    expect(fake.exits).toEqual([0]);
  });

  it('exits 1 when destroy fails', async () => {
    const fake = fakeProcess();
    installSignalHandlers({ destroy: () => Promise.reject(new Error('pool stuck')) }, capturingLogger().log, { proc: fake.proc });
    fake.emit('SIGINT');
    expect(await fake.exitedOnce).toBe(1);
  });

  it('exits 1 when the hard deadline passes first', async () => {
    const fake = fakeProcess();
    installSignalHandlers({ destroy: () => new Promise(() => undefined) }, capturingLogger().log, {
      proc: fake.proc,
      deadlineMs: 50,
    });
    fake.emit('SIGTERM');
    expect(await fake.exitedOnce).toBe(1);
  });
});
