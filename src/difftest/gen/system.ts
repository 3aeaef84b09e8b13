// A32 system instructions that are safe inside a random stream (SYS mode, no mode,
// instruction-set or endianness change): MRS CPSR, MSR CPSR_f/_s (flags, Q, GE; mask
// with the c/x fields only where they rewrite the current mode, AIF and E unchanged),
// MRC of ID and thread-ID registers (also to APSR_nzcv), MCR of the thread-ID
// registers and CP15 barriers, MRRC of unimplemented 64-bit registers, barriers,
// hints (no WFI: QEMU sleeps), SVC, SMC (UNDEFINED), UDF and undefined coprocessors.

import type { Rng } from "../rng.js";
import { registerGen } from "./index.js";
import { randCond } from "./types.js";

const cond = (rng: Rng) => randCond(rng) << 28;
const rd = (rng: Rng) => rng.int(15);

/** MRC targets readable at PL1 without side effects: [opc1, crn, crm, opc2]. */
const MRC_REGS: [number, number, number, number][] = [
  [0, 0, 0, 0],
  [0, 0, 0, 1],
  [0, 0, 0, 5],
  [0, 0, 1, 0],
  [0, 0, 1, 1],
  [0, 0, 1, 4],
  [0, 0, 2, 0],
  [0, 0, 2, 3],
  [0, 0, 3, 5],
  [1, 0, 0, 1],
  [0, 13, 0, 2],
  [0, 13, 0, 3],
  [0, 13, 0, 4],
  [0, 1, 0, 2],
  [0, 3, 0, 0],
  [0, 10, 2, 0],
];

function mrc(rng: Rng, cp: number, opc1: number, crn: number, crm: number, opc2: number, rt: number): number {
  return (
    (cond(rng) | 0x0e100010 | (opc1 << 21) | (crn << 16) | (rt << 12) | (cp << 8) | (opc2 << 5) | crm) >>> 0
  );
}

registerGen(
  {
    name: "system",
    isa: "arm",
    weight: 2,
    gen(rng) {
      switch (rng.int(4)) {
        case 0: // MRS Rd, CPSR
          return (cond(rng) | 0x010f0000 | (rd(rng) << 12)) >>> 0;
        case 1: {
          // MSR CPSR_<f|s|fs>, Rn / #imm
          const mask = rng.pick([8, 4, 12]);
          if (rng.chance(0.5)) return (cond(rng) | 0x0120f000 | (mask << 16) | rng.int(15)) >>> 0;
          const imm12 = rng.chance(0.5) ? (4 << 8) | rng.bits(8) : (8 << 8) | rng.bits(8); // rotated into 31:24 / 23:16
          return (cond(rng) | 0x0320f000 | (mask << 16) | imm12) >>> 0;
        }
        case 2: {
          // MRC of an ID / thread register, sometimes to APSR_nzcv
          const [o1, n, m, o2] = rng.pick(MRC_REGS);
          return mrc(rng, 15, o1, n, m, o2, rng.chance(0.15) ? 15 : rd(rng));
        }
        default: {
          // MCR to TPIDRURW/TPIDRURO/TPIDRPRW or a CP15 barrier
          const [o1, n, m, o2] = rng.pick([
            [0, 13, 0, 2],
            [0, 13, 0, 3],
            [0, 13, 0, 4],
            [0, 7, 10, 5],
            [0, 7, 10, 4],
            [0, 7, 5, 4],
          ] as const);
          return (mrc(rng, 15, o1, n, m, o2, rd(rng)) & ~(1 << 20)) >>> 0;
        }
      }
    },
  },
  {
    name: "system",
    isa: "arm",
    weight: 1,
    gen(rng) {
      switch (rng.int(6)) {
        case 0: // barriers
          return (0xf57ff040 | (rng.int(3) << 4) | rng.bits(4)) >>> 0;
        case 1: // hints: NOP YIELD WFE SEV DBG, unallocated hints
          return (
            (cond(rng) | 0x0320f000 | rng.pick([0, 1, 2, 4, 0xf0 | rng.bits(4), 0x14 + rng.int(8)])) >>> 0
          );
        case 2: // SVC
          return (cond(rng) | 0x0f000000 | rng.bits(24)) >>> 0;
        case 3: // SMC (UNDEFINED here), UDF
          return rng.chance(0.5)
            ? (cond(rng) | 0x01600070 | rng.bits(4)) >>> 0
            : (0xe7f000f0 | rng.bits(4)) >>> 0;
        case 4: // coprocessors without registers / unimplemented CP15 registers
          return rng.chance(0.5)
            ? mrc(
                rng,
                rng.pick([0, 1, 7, 14, 15]),
                rng.int(8),
                rng.pick([1, 4, 8, 11]),
                rng.int(16),
                rng.int(8),
                rd(rng),
              )
            : (cond(rng) |
                0x0c500000 |
                (rd(rng) << 16) |
                (rd(rng) << 12) |
                (15 << 8) |
                (rng.int(16) << 4) |
                rng.pick([0, 1, 3, 5])) >>>
                0;
        default: // MRC of the MPIDR / CTR into APSR_nzcv
          return mrc(rng, 15, 0, 0, 0, rng.pick([1, 5]), 15);
      }
    },
  },
);
