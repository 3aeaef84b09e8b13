// The table of runtime helpers that instruction semantics call (b.call / b.callMayExit).
// Both tiers call the same functions: the interpreter directly, the JIT through imports.

import type { Cpu } from "../cpu/cpu.js";
import { coreHelpers } from "./helpers/core.js";

export type Helper = (cpu: Cpu, ...args: number[]) => number;

export const H = {
  ...coreHelpers,
} satisfies Record<string, Helper>;
