/** What a benchmarked process has used so far, read from /proc (Linux). */
import { readFileSync } from 'node:fs';

/** Resident memory in MB. */
export function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/**
 * CPU milliseconds (user + system) a process has used so far. Latency and throughput on a shared
 * two-core machine swing with whatever else runs; the CPU each unit of work costs does not, so
 * the benchmarks report it too.
 */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesized command name), in clock ticks (100 Hz).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
