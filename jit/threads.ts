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
import { setPriority } from "node:os";

/** The nice value given to the threads other than the main thread and the compile worker. */
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
 * Give every thread of the process but `keep` (and the main thread) the nice value
 * `nice`. Returns how many threads it changed (0 where there is no /proc).
 */
export function deprioritizeOthers(keep: number[], nice = BACKGROUND_NICE): number {
  let tasks: string[];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return 0;
  }
  let changed = 0;
  for (const t of tasks) {
    const tid = Number(t);
    if (tid === process.pid || keep.includes(tid)) continue;
    try {
      setPriority(tid, nice);
      changed++;
    } catch {
      // (the thread ended meanwhile)
    }
  }
  return changed;
}
