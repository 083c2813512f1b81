import { readFileSync } from 'node:fs';

/**
 * A process's resident memory from Linux's /proc, in bytes: `VmRSS` now, `VmHWM` its peak so far.
 * 0 when the process has already ended (a zombie's status has no memory lines).
 */
export function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith(field));
    return Number(line?.replace(/\D/g, '') ?? 0) * 1024;
  } catch {
    return 0;
  }
}
