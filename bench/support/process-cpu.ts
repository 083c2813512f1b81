/**
 * CPU time by process from Linux's /proc, for the profiled phase of the throughput benchmark: on a
 * small machine the benchmark process shares its cores with the fake Cloud API, Redis and
 * PostgreSQL, and a V8 profile cannot show time the thread spent waiting for a core (it is charged
 * to whatever the thread resumes in, often a socket write that woke the other side).
 * Elsewhere than Linux every figure is 0.
 */
import { readdirSync, readFileSync } from 'node:fs';

// Clock ticks per second: 100 on Linux (getconf CLK_TCK).
const TICK_MS = 10;

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** User + system CPU of one process, ms. */
function processMs(pid: number) {
  const stat = read(`/proc/${pid}/stat`);
  // The command name is in parentheses and may hold spaces: fields are counted after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * TICK_MS;
}

/** Pids whose command line contains `text` (PostgreSQL backends name their database there). */
export function pidsOf(text: string) {
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((entry) => /^\d+$/.test(entry) && read(`/proc/${entry}/cmdline`).replace(/\0/g, ' ').includes(text)).map(Number);
}

/** The machine's busy CPU (all cores, not idle or waiting for I/O), ms. */
function machineMs() {
  const [, ...ticks] = read('/proc/stat').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return (user + nice + system + irq + softirq + steal) * TICK_MS;
}

/** Starts counting; `stop()` returns CPU ms per group since then, and the machine's total. */
export function startProcessCpu(groups: Record<string, () => number[]>) {
  // Pids seen at the start are measured again at the end; one started in between counts from 0, one ended in between is lost.
  const before = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, new Map(pids().map((pid) => [pid, processMs(pid)]))]));
  const machineBefore = machineMs();
  return {
    stop() {
      const used: Record<string, number> = {};
      for (const [name, pids] of Object.entries(groups)) {
        const start = before[name];
        used[name] = pids().reduce((total, pid) => total + processMs(pid) - (start.get(pid) ?? 0), 0);
      }
      return { used, machine: machineMs() - machineBefore };
    },
  };
}
