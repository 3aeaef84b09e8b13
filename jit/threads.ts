// Scheduling of the process's threads. On a machine with few cores, the main thread (the
// guest) and the compile worker share the cores with V8's platform threads, which tier
// region functions up to TurboFan and help the garbage collector. Measured on two cores
// (a Linux boot, /proc/self/task/*/schedstat): the main thread waited for a core 1.2-1.3 s
// of 6.8-7.0 s and the worker half of its time. With the platform threads at nice 10, the
// main thread waited ~0.4 s, the worker ~0.5 s, and the boot took 6.5-6.6 s: the tier-ups
// come later, but they come (the platform threads get the cycles the two leave, and run
// at once when the main thread blocks on them, as in a garbage collection).
//
// Linux only (thread ids from /proc); raising a thread's nice value needs no privilege.

import { readdirSync, readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/** How much nicer than the main thread the other threads (but the compile worker) run. */
export const BACKGROUND_NICE = 10;

/** The calling thread's kernel id, or null where /proc/thread-self does not exist. */
export function threadId(): number | null {
  try {
    const id = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(id) ? id : null;
  } catch {
    return null;
  }
}

/**
 * Give every thread of the process but the main thread and `keep` the main thread's nice
 * value plus BACKGROUND_NICE (at most 19), relative so that a process started with nice
 * keeps the order. Nothing where there is no /proc.
 */
export function deprioritizeOthers(keep: number[]): void {
  let tasks: string[];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return;
  }
  const nice = Math.min(19, getPriority(process.pid) + BACKGROUND_NICE);
  for (const t of tasks) {
    const tid = Number(t);
    if (tid === process.pid || keep.includes(tid)) continue;
    try {
      setPriority(tid, nice);
    } catch {
      // (the thread ended meanwhile)
    }
  }
}
