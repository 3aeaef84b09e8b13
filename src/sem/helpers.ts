// The table of runtime helpers that instruction semantics call (b.call / b.callMayExit).
// Both tiers call the same functions: the interpreter directly, the JIT through imports.

import type { Cpu } from "../cpu/cpu.js";
import { coreHelpers } from "./helpers/core.js";
import { ldstHelpers } from "./helpers/ldst.js";
import { neonHelpers } from "./helpers/neon.js";
import { neonFpHelpers } from "./helpers/neon_fp.js";
import { systemHelpers } from "./helpers/system.js";
import { vfpHelpers } from "./helpers/vfp.js";

export type Helper = (cpu: Cpu, ...args: number[]) => number;

export const H = {
  ...coreHelpers,
  ...ldstHelpers,
  ...vfpHelpers,
  ...systemHelpers,
  ...neonHelpers,
  ...neonFpHelpers,
} satisfies Record<string, Helper>;
