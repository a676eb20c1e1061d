import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

/**
 * Where the CPU went during a measurement, read from /proc: the processes of each part of the
 * benchmark (a server, PostgreSQL, nginx, the load generator…: a root pid and its descendants) and
 * the whole machine's busy time, other people's work included. On two cores shared by every part,
 * this is what explains a ratio or a scaling factor.
 */

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

export interface CpuGroup {
  label: string;
  /** Root processes, read at each snapshot (a restarted or forked process is found again). */
  roots(): number[];
  /** The roots alone, not their descendants (the benchmark's own process, whose children are counted apart). */
  alone?: boolean;
}

export interface CpuSnapshot {
  at: number;
  /** pid → user + system ticks, per group. */
  groups: Map<string, Map<number, number>>;
  /** Busy and total ticks of the machine (every CPU). */
  machine: { busy: number; total: number };
}

export interface CpuUsage {
  seconds: number;
  /** Label → share of one CPU (1 = one core busy all along). */
  groups: { label: string; cores: number }[];
  /** Share of the whole machine busy, every process included (1 = every core busy all along). */
  machineBusy: number;
  cores: number;
}

function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are the 14th and 15th fields of the line, the 12th and 13th after the name.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** The direct children of a process (of all its threads). */
export function childrenOf(pid: number): number[] {
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

function withDescendants(root: number): number[] {
  return [root, ...childrenOf(root).flatMap(withDescendants)];
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, ...values] = line.trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  // idle and iowait are the 4th and 5th values.
  return { busy: total - n[3]! - n[4]!, total };
}

export function cpuSnapshot(groups: CpuGroup[]): CpuSnapshot {
  const map = new Map<string, Map<number, number>>();
  for (const g of groups) {
    const ticks = new Map<number, number>();
    for (const root of g.roots()) {
      for (const pid of g.alone ? [root] : withDescendants(root)) {
        const t = processTicks(pid);
        if (t !== null) ticks.set(pid, t);
      }
    }
    map.set(g.label, ticks);
  }
  return { at: performance.now(), groups: map, machine: machineTicks() };
}

/** What each group used between two snapshots; a process born in between counts from zero, one gone in between is lost. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUsage {
  const seconds = (after.at - before.at) / 1000;
  const groups = [...after.groups].map(([label, ticks]) => {
    const earlier = before.groups.get(label) ?? new Map<number, number>();
    let used = 0;
    for (const [pid, t] of ticks) used += t - (earlier.get(pid) ?? 0);
    return { label, cores: used / TICKS_PER_SECOND / seconds };
  });
  const busy = after.machine.busy - before.machine.busy;
  const total = after.machine.total - before.machine.total;
  return { seconds, groups, machineBusy: total > 0 ? busy / total : Number.NaN, cores: cpus().length };
}

/** Adds up usages of several windows (the slices of one side), weighted by their lengths. */
export function cpuTotal(usages: CpuUsage[]): CpuUsage | null {
  if (usages.length === 0) return null;
  const seconds = usages.reduce((s, u) => s + u.seconds, 0);
  const labels = usages[0]!.groups.map((g) => g.label);
  return {
    seconds,
    groups: labels.map((label) => ({
      label,
      cores: usages.reduce((s, u) => s + (u.groups.find((g) => g.label === label)?.cores ?? 0) * u.seconds, 0) / seconds,
    })),
    machineBusy: usages.reduce((s, u) => s + u.machineBusy * u.seconds, 0) / seconds,
    cores: usages[0]!.cores,
  };
}

/** « instances 1.12 · postgres 0.41 · … cores of 2; machine 97 % busy » */
export function describeCpu(u: CpuUsage): string {
  return `${u.groups.map((g) => `${g.label} ${g.cores.toFixed(2)}`).join(' · ')} cores of ${u.cores}; machine ${Math.round(100 * u.machineBusy)} % busy (everyone's work)`;
}
