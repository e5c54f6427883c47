/**
 * A first-come, first-served lock on PGlite's one backend session. The embedded database has a
 * single session, so a transaction (or an extended-protocol exchange) must own it from its first
 * statement to its last: `dg up`'s own queries take the gate per Kysely connection, and each
 * client of the socket server from its first message until the session is idle again.
 */
export class SessionGate {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  /** Resolves once the session is this caller's; call the returned function (once) to hand it on. */
  async acquire(): Promise<() => void> {
    if (this.#held) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#held = false;
    };
  }

  /** How many callers wait for the session (for tests and diagnostics). */
  get waiting(): number {
    return this.#waiting.length;
  }
}
