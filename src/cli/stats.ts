// The --stats line every command that runs guest code prints first (run, boot).

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
