// A32 data processing (src/sem/dp.ts): the 16 operations with immediate,
// immediate-shifted register and register-shifted register operands, S bit, random
// conditions. Rd is never the PC (a random PC write would leave the stream).

import type { Rng } from "../rng.js";
import { registerGen } from "./index.js";
import { randCond } from "./types.js";

const isTest = (op: number) => op >= 8 && op <= 11;
const noRn = (op: number) => op === 13 || op === 15;

/** op, S, Rd, Rn fields (bits 24..12) respecting the SBZ fields and the misc space. */
function opFields(rng: Rng, allowPcRn: boolean): number {
  const op = rng.int(16);
  const s = isTest(op) ? 1 : rng.int(2);
  const rd = isTest(op) ? 0 : rng.int(15);
  const rn = noRn(op) ? 0 : allowPcRn ? rng.int(16) : rng.int(15);
  return (op << 21) | (s << 20) | (rn << 16) | (rd << 12);
}

function reg(rng: Rng, pc: boolean): number {
  return pc && rng.chance(0.05) ? 15 : rng.int(15);
}

registerGen(
  {
    name: "dp",
    isa: "arm",
    weight: 3,
    gen(rng) {
      // cccc 001o oooS nnnn dddd rrrr iiii iiii
      const imm12 = rng.chance(0.5) ? rng.bits(12) : rng.int(16) << 8;
      return ((randCond(rng) << 28) | (1 << 25) | opFields(rng, rng.chance(0.05)) | imm12) >>> 0;
    },
  },
  {
    name: "dp",
    isa: "arm",
    weight: 3,
    gen(rng) {
      // cccc 000o oooS nnnn dddd aaaa att0 mmmm
      const amt = rng.chance(0.3) ? rng.pick([0, 1, 31]) : rng.int(32);
      const f = opFields(rng, rng.chance(0.05));
      return ((randCond(rng) << 28) | f | (amt << 7) | (rng.int(4) << 5) | reg(rng, true)) >>> 0;
    },
  },
  {
    name: "dp",
    isa: "arm",
    weight: 2,
    gen(rng) {
      // cccc 000o oooS nnnn dddd ssss 0tt1 mmmm (no PC operands: UNPREDICTABLE)
      const f = opFields(rng, false);
      return ((randCond(rng) << 28) | f | (rng.int(15) << 8) | (rng.int(4) << 5) | 0x10 | rng.int(15)) >>> 0;
    },
  },
);
