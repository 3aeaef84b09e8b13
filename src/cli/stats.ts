// The --stats line every command that runs guest code prints first (run, boot).

import { readFileSync } from "node:fs";
import type { Machine } from "../board/machine.js";

/** Instructions, wall time and MIPS of a run of `ms`, and the interpreter's counts. */
export function runStatsLine(m: Machine, ms: number): string {
  const n = m.cpu.icount;
  const s = m.interp.stats;
  return (
    `hypwasm: ${n} instructions in ${ms.toFixed(1)} ms (${(n / ms / 1000).toFixed(1)} MIPS), ` +
    `${s.blocksDecoded} blocks decoded, ${s.invalidations} invalidations, ${s.tlbFlushes} translation flushes, ${s.flushes} flushes`
  );
}

/**
 * The calling thread's time on a core and waiting for one since it started, from the
 * kernel's scheduler statistics (/proc/thread-self/schedstat, ns), or null without them.
 * Called on the main thread, which runs the guest: its CPU time moves much less from run
 * to run than the wall time, which includes the waits for a core that the compile worker
 * and V8's threads cause on a machine with few cores.
 */
export function threadTimes(): { cpuMs: number; waitMs: number } | null {
  try {
    const [run, wait] = readFileSync("/proc/thread-self/schedstat", "utf8").trim().split(/\s+/).map(Number);
    return Number.isFinite(run) && Number.isFinite(wait) ? { cpuMs: run! / 1e6, waitMs: wait! / 1e6 } : null;
  } catch {
    return null;
  }
}

/** The --stats line of threadTimes() for the main thread, or null. */
export function mainThreadLine(): string | null {
  const t = threadTimes();
  return t === null
    ? null
    : `hypwasm: main thread since start: ${t.cpuMs.toFixed(0)} ms on a core, ${t.waitMs.toFixed(0)} ms waiting for one`;
}
