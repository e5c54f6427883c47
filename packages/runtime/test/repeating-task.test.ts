import { describe, expect, it } from 'vitest';
import { createRepeatingTask } from '../src/lifecycle/index.js';

/** A promise with its resolve, to hold a round open. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

describe('createRepeatingTask', () => {
  it('never runs two rounds at once: a round asked for during one joins it', async () => {
    const hold = gate();
    let rounds = 0;
    let concurrent = 0;
    let most = 0;
    const task = createRepeatingTask({
      round: async () => {
        rounds++;
        most = Math.max(most, ++concurrent);
        await hold.opened;
        concurrent--;
        return rounds;
      },
      onError: () => -1,
      nextDelayMs: () => 60_000,
    });
    const first = task.runOnce();
    const second = task.runOnce();
    hold.open();
    expect(await first).toBe(1);
    expect(await second).toBe(1);
    expect(await task.runOnce()).toBe(2);
    expect(most).toBe(1);
  });

  it('reports a failed round to onError, counts it as its value and schedules the next one', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const twoRounds = gate();
    const task = createRepeatingTask({
      round: async () => {
        rounds++;
        if (rounds === 2) twoRounds.open();
        if (rounds === 1) throw new Error('database away');
        return 'ok';
      },
      onError: (err) => {
        errors.push(err);
        return 'failed';
      },
      nextDelayMs: () => 1,
    });
    task.start();
    await twoRounds.opened;
    await task.stop();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('database away');
    expect(rounds).toBeGreaterThanOrEqual(2);
  });

  it('stop waits for the round in progress, and nothing runs after it', async () => {
    const hold = gate();
    const started = gate();
    let rounds = 0;
    let finished = false;
    let after = 0;
    const task = createRepeatingTask({
      round: async () => {
        rounds++;
        started.open();
        await hold.opened;
        finished = true;
      },
      onError: () => undefined,
      nextDelayMs: () => 0,
      afterRound: () => after++,
    });
    task.start();
    await started.opened;
    const stopped = task.stop();
    expect(task.stopping).toBe(true);
    hold.open();
    await stopped;
    expect(finished).toBe(true);
    expect(after).toBe(0);
    task.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(rounds).toBe(1);
  });

  it('calls afterRound after each round while running', async () => {
    let after = 0;
    const task = createRepeatingTask({
      round: async () => 1,
      onError: () => 0,
      nextDelayMs: () => 60_000,
      afterRound: () => after++,
    });
    await task.runOnce();
    await task.runOnce();
    expect(after).toBe(2);
    await task.stop();
  });
});
