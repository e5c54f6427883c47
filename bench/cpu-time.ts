/**
 * CPU time a bench phase cost: this process's (the service under test runs in it) and that of
 * the PostgreSQL backends serving its database, read from /proc when the server runs on this
 * machine. On a machine shared with other work, wall-clock throughput swings with the load;
 * CPU milliseconds per message swing far less, so benches print both.
 */
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';

const TICKS_PER_SECOND = 100;

/** utime + stime of a process in ms, or undefined when it is gone (or not on this machine). */
function processCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces) start at field 3.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

async function backendCpu<DB>(db: Kysely<DB>): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = processCpuMs(pid);
    if (ms !== undefined) out.set(pid, ms);
  }
  return out;
}

export interface CpuSpent {
  /** this process, ms */
  node: number;
  /** the database's backends (those alive at the end; a backend that started meanwhile counts whole), ms; null when not readable */
  postgres: number | null;
}

/** Starts measuring; the returned function gives what was spent since. */
export async function measureCpu<DB>(db: Kysely<DB>): Promise<() => Promise<CpuSpent>> {
  const node0 = process.cpuUsage();
  const pg0 = await backendCpu(db);
  return async () => {
    const node = process.cpuUsage(node0);
    const pg1 = await backendCpu(db);
    let postgres = 0;
    for (const [pid, ms] of pg1) postgres += ms - (pg0.get(pid) ?? 0);
    return { node: (node.user + node.system) / 1000, postgres: pg1.size === 0 ? null : postgres };
  };
}

/** `CPU per message: 3.1 ms node + 4.2 ms PostgreSQL` for `n` messages. */
export function cpuPerMessage(spent: CpuSpent, n: number): string {
  const pg = spent.postgres === null ? 'PostgreSQL not measured' : `${(spent.postgres / n).toFixed(2)} ms PostgreSQL`;
  return `CPU per message ${(spent.node / n).toFixed(2)} ms node + ${pg}`;
}
