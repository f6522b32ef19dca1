// CPU time of processes, from /proc: for measuring what Chromium's processes spend (every thread,
// the WebCrypto and worker threads included) while a workload runs in one of its pages.
import { readFileSync, readdirSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

function readStat(pid: number): { ppid: number; cpuTicks: number; command: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: the fields start after the last ')'.
    const close = stat.lastIndexOf(')');
    const command = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), command };
  } catch {
    return null;
  }
}

/** Every live process below `root` whose command name matches `name`. */
export function descendants(root: number, name: RegExp): number[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    parents.set(pid, stat.ppid);
    names.set(pid, stat.command);
  }
  const below = (pid: number): boolean => {
    for (let parent = parents.get(pid); parent !== undefined && parent > 1; parent = parents.get(parent)) if (parent === root) return true;
    return false;
  };
  return [...parents.keys()].filter((pid) => below(pid) && name.test(names.get(pid) ?? ''));
}

/** CPU seconds (user + system, all threads) the processes have used so far. */
export function cpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuTicks ?? 0), 0) / TICKS_PER_SECOND;
}

/** Resident memory of a process in bytes (VmRSS). */
export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Scheduler figures of a thread: time on a CPU, time waiting for one, and how many times it ran. */
export interface ThreadSchedule {
  cpuNs: number;
  waitNs: number;
  slices: number;
}

/** /proc/<pid>/task/<tid>/schedstat of every thread of these processes whose name matches `name`, summed. */
export function threadSchedule(pids: readonly number[], name: RegExp): ThreadSchedule {
  const total: ThreadSchedule = { cpuNs: 0, waitNs: 0, slices: 0 };
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        if (!name.test(readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim())) continue;
        const [cpu, wait, slices] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ').map(Number);
        total.cpuNs += cpu ?? 0;
        total.waitNs += wait ?? 0;
        total.slices += slices ?? 0;
      } catch {
        // The thread ended.
      }
    }
  }
  return total;
}

/** Live processes whose command line contains `text`. */
export function processesWith(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(text)) found.push(pid);
    } catch {
      // Gone.
    }
  }
  return found;
}
