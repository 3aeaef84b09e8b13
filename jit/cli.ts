// The JIT's command-line options (`run` and `boot`) and its --stats lines.

import { type Command, InvalidArgumentError, Option } from "commander";
import type { Interpreter } from "../src/interp/interp.js";
import { DEFAULT_THRESHOLD, EXIT_REASONS, enableJit, type Jit, type JitMode } from "./jit.js";

export interface JitCliOptions {
  jit?: JitMode;
  jitThreshold?: number;
}

const MODES: JitMode[] = ["off", "on", "always"];

export function addJitOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        "--jit <mode>",
        "wasm JIT: off, on (hot blocks), always (every block before its first run; for testing)",
      )
        .choices(MODES)
        .default("on"),
    )
    .option(
      "--jit-threshold <n>",
      `block executions before the JIT compiles a block (default ${DEFAULT_THRESHOLD})`,
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1)
          throw new InvalidArgumentError("--jit-threshold must be an integer >= 1");
        return n;
      },
    );
}

/** Attach the JIT the options ask for (null: off). */
export async function jitFromOptions(interp: Interpreter, o: JitCliOptions): Promise<Jit | null> {
  if (o.jit === undefined || o.jit === "off") return null;
  return enableJit(interp, { mode: o.jit, threshold: o.jitThreshold, worker: true });
}

/** The --stats line of the JIT. */
export function jitStatsLine(jit: Jit): string {
  const s = jit.stats;
  const per = s.blocks > 0 ? ((s.compileMs * 1000) / s.blocks).toFixed(0) : "-";
  return (
    `hypwasm: jit: ${s.regions} regions of ${s.blocks} blocks in ${s.modules} modules ` +
    `(${(s.wasmBytes / 1024).toFixed(1)} KiB of wasm), ` +
    `${s.compileMs.toFixed(1)} ms compiling (${per} µs/block; ${s.mainMs.toFixed(1)} ms of it on the main thread), ` +
    `${s.execs} entries into compiled code (and ${s.chains} from region to region) running ${s.insns} instructions, ` +
    `${s.waitInsns} interpreted in hot blocks waiting for their module, ` +
    `${s.discarded} discarded, ${s.dropped} dropped (code written), ${s.evictions} evictions\n` +
    `hypwasm: jit: exits to the run loop: ${EXIT_REASONS.map((r) => `${r} ${s.exits[r]}`).join(", ")}`
  );
}
