// Thumb data processing, branches and IT blocks (src/sem/thumb16.ts, thumb32.ts):
//   thumb16  16-bit data processing (shift/add/sub/mov/cmp immediates, register ops incl.
//            shifts by register, high-register ADD/CMP/MOV, ADR, ADD rd, SP, #imm)
//   thumb32  32-bit data processing: modified immediates (ThumbExpandImm and its carry),
//            shifted register, shifts by register, ADDW/SUBW, MOVW/MOVT, ADR.W
//   thumb_it IT blocks with random firstcond/mask around instructions legal inside IT
//            (16-bit forms then do not set flags), sometimes ending in a branch
//   thumb_branch  B (T1-T4, conditional and not), BL, CBZ/CBNZ (forward)
// Operands avoid SP and PC except where an encoding reads them harmlessly.

import { decodeWord } from "../../decode/pattern.js";
import type { Rng } from "../rng.js";
import { registerGen } from "./index.js";
import type { Unit } from "./types.js";

/** A 32-bit Thumb encoding in the harness's word convention. */
export const t32 = (hw1: number, hw2: number): number => (((hw1 & 0xffff) << 16) | (hw2 & 0xffff)) >>> 0;

/** r0-r7. */
export const lo = (rng: Rng): number => rng.int(8);
/** A register usable in most T32 operand fields: r0-r12, r14. */
export const gp = (rng: Rng): number => {
  const r = rng.int(14);
  return r === 13 ? 14 : r;
};

// ---- 16-bit data processing ----------------------------------------------------------

export function genT16Dp(rng: Rng): number {
  switch (rng.int(10)) {
    case 0: // LSL/LSR/ASR #imm
      return (rng.int(3) << 11) | (rng.int(32) << 6) | (lo(rng) << 3) | lo(rng);
    case 1: // ADD/SUB register
      return 0x1800 | (rng.int(2) << 9) | (lo(rng) << 6) | (lo(rng) << 3) | lo(rng);
    case 2: // ADD/SUB imm3
      return 0x1c00 | (rng.int(2) << 9) | (rng.int(8) << 6) | (lo(rng) << 3) | lo(rng);
    case 3: // MOV/CMP/ADD/SUB imm8
      return 0x2000 | (rng.int(4) << 11) | (lo(rng) << 8) | rng.int(256);
    case 4:
    case 5: // data processing register (incl. MUL)
      return 0x4000 | (rng.int(16) << 6) | (lo(rng) << 3) | lo(rng);
    case 6: {
      // high-register ADD / CMP / MOV
      const op = rng.int(3);
      const rd = gp(rng);
      const rm = gp(rng);
      return 0x4400 | (op << 8) | ((rd >> 3) << 7) | (rm << 3) | (rd & 7);
    }
    case 7: // ADR / ADD rd, SP, #imm8
      return 0xa000 | (rng.int(2) << 11) | (lo(rng) << 8) | rng.int(256);
    case 8: // SXTH SXTB UXTH UXTB / REV REV16 REVSH
      return rng.chance(0.5)
        ? 0xb200 | (rng.int(4) << 6) | (lo(rng) << 3) | lo(rng)
        : 0xba00 | (rng.pick([0, 1, 3]) << 6) | (lo(rng) << 3) | lo(rng);
    default: // NOP / YIELD / SEV
      return 0xbf00 | (rng.pick([0, 1, 4]) << 4);
  }
}

// ---- 32-bit data processing ----------------------------------------------------------

const MOD_OPS = [0, 1, 2, 3, 4, 8, 10, 11, 13, 14];

/** A modified-immediate imm12 (i:imm3:imm8), biased to the replicated and rotated forms. */
function modImm12(rng: Rng): number {
  if (rng.chance(0.5)) return (rng.int(4) << 8) | (1 + rng.int(255)); // 00XY, 00XY00XY, XY00XY00, XYXYXYXY
  return rng.bits(12);
}

/** op, S, Rn, Rd with the TST/TEQ/CMN/CMP (Rd = 15) and MOV/MVN (Rn = 15) forms. */
function dpOperands(rng: Rng, ops: number[]): { op: number; s: number; rn: number; rd: number } {
  const op = rng.pick(ops);
  let s = rng.int(2);
  let rn = gp(rng);
  let rd = gp(rng);
  if ((op === 0 || op === 4 || op === 8 || op === 13) && rng.chance(0.25)) {
    rd = 15;
    s = 1;
  }
  if ((op === 2 || op === 3) && rng.chance(0.4)) rn = 15;
  return { op, s, rn, rd };
}

export function genT32Dp(rng: Rng): number {
  switch (rng.int(6)) {
    case 0:
    case 1: {
      const { op, s, rn, rd } = dpOperands(rng, MOD_OPS);
      const imm = modImm12(rng);
      return t32(
        0xf000 | ((imm >> 11) << 10) | (op << 5) | (s << 4) | rn,
        (((imm >> 8) & 7) << 12) | (rd << 8) | (imm & 0xff),
      );
    }
    case 2:
    case 3: {
      const { op, s, rn, rd } = dpOperands(rng, MOD_OPS);
      const amt = rng.chance(0.3) ? rng.pick([0, 1, 31]) : rng.int(32);
      return t32(
        0xea00 | (op << 5) | (s << 4) | rn,
        ((amt >> 2) << 12) | (rd << 8) | ((amt & 3) << 6) | (rng.int(4) << 4) | gp(rng),
      );
    }
    case 4: // LSL/LSR/ASR/ROR (register)
      return t32(0xfa00 | (rng.int(4) << 5) | (rng.int(2) << 4) | gp(rng), 0xf000 | (gp(rng) << 8) | gp(rng));
    default: {
      const imm = rng.bits(12);
      const hw2 = (((imm >> 8) & 7) << 12) | (gp(rng) << 8) | (imm & 0xff);
      switch (rng.int(4)) {
        case 0: // ADDW / SUBW (Rn = 15: ADR)
          return t32(
            0xf200 | ((imm >> 11) << 10) | (rng.int(2) ? 0xa0 : 0) | (rng.chance(0.2) ? 15 : gp(rng)),
            hw2,
          );
        default: // MOVW / MOVT
          return t32(0xf240 | ((imm >> 11) << 10) | (rng.int(2) << 7) | rng.int(16), hw2);
      }
    }
  }
}

/** Not UNPREDICTABLE at this IT position (for units the harness may not retry). */
function legalInIT(w: number, last: boolean): boolean {
  return decodeWord(w > 0xffff ? "T32" : "T16", w, { inIT: true, lastInIT: last }) !== "unpred";
}

// ---- IT blocks ---------------------------------------------------------------------

/** IT firstcond:mask for n (1..4) instructions with random then/else choices. */
export function itWord(rng: Rng, n: number): { word: number; conds: number[] } {
  const al = rng.chance(0.05);
  const fc = al ? 14 : rng.int(14);
  let mask = 0;
  const conds = [fc];
  for (let k = 1; k < n; k++) {
    const x = al ? 1 : rng.int(2) ? fc & 1 : (fc & 1) ^ 1;
    mask |= x << (4 - k);
    conds.push((fc & 0xe) | x);
  }
  mask |= 1 << (4 - n);
  if (al) return { word: 0xbf00 | (14 << 4) | 8, conds: [14] };
  return { word: 0xbf00 | (fc << 4) | mask, conds };
}

/** T16 B (T2) / T32 B.W (T4): the last instruction of an IT block or any unit. */
function uncondBranch(rng: Rng, words: number[]): Unit {
  const wide = rng.chance(0.4);
  words.push(wide ? t32(0xf000, 0x9000) : 0xe000); // placeholders of the right size
  return {
    words,
    branch: {
      skip: rng.int(3),
      encode: (offset) => {
        const imm = offset - 4;
        if (!wide) return 0xe000 | ((imm >> 1) & 0x7ff);
        const s = imm < 0 ? 1 : 0;
        const i1 = (imm >> 23) & 1;
        const i2 = (imm >> 22) & 1;
        const j1 = i1 ^ 1 ^ s;
        const j2 = i2 ^ 1 ^ s;
        return t32(
          0xf000 | (s << 10) | ((imm >> 12) & 0x3ff),
          0x9000 | (j1 << 13) | (j2 << 11) | ((imm >> 1) & 0x7ff),
        );
      },
    },
  };
}

registerGen(
  { name: "thumb16", isa: "thumb", weight: 4, gen: (rng) => genT16Dp(rng) },
  { name: "thumb32", isa: "thumb", weight: 4, gen: (rng) => genT32Dp(rng) },
  {
    name: "thumb_it",
    isa: "thumb",
    weight: 3,
    gen(rng): Unit {
      const n = 1 + rng.int(4);
      const { word, conds } = itWord(rng, n);
      const words = [word];
      const branchLast = rng.chance(0.15);
      for (let k = 0; k < conds.length; k++) {
        if (branchLast && k === conds.length - 1) return uncondBranch(rng, words);
        let w: number;
        do w = rng.chance(0.5) ? genT16Dp(rng) : genT32Dp(rng);
        while (branchLast && !legalInIT(w, k === conds.length - 1));
        words.push(w);
      }
      return { words };
    },
  },
  {
    name: "thumb_branch",
    isa: "thumb",
    weight: 1,
    gen(rng): Unit {
      // an optional flag-setting instruction first (never UNPREDICTABLE: the harness
      // does not retry branch units)
      const pre: number[] = rng.chance(0.5)
        ? [0x2000 | (rng.int(2) << 11) | (lo(rng) << 8) | rng.int(256)]
        : [];
      switch (rng.int(4)) {
        case 0: {
          // B<c> T1 / T3
          const c = rng.int(14);
          const wide = rng.chance(0.4);
          pre.push(wide ? t32(0xf000, 0x8000) : 0xd000);
          return {
            words: pre,
            branch: {
              skip: rng.int(3),
              encode: (offset) => {
                const imm = offset - 4;
                if (!wide) return 0xd000 | (c << 8) | ((imm >> 1) & 0xff);
                const s = imm < 0 ? 1 : 0;
                return t32(
                  0xf000 | (s << 10) | (c << 6) | ((imm >> 12) & 0x3f),
                  0x8000 | (((imm >> 18) & 1) << 13) | (((imm >> 19) & 1) << 11) | ((imm >> 1) & 0x7ff),
                );
              },
            },
          };
        }
        case 1:
          return uncondBranch(rng, pre);
        case 2: {
          // BL
          pre.push(t32(0xf000, 0xd000));
          return {
            words: pre,
            branch: {
              skip: rng.int(3),
              encode: (offset) => {
                const imm = offset - 4;
                const s = imm < 0 ? 1 : 0;
                const j1 = ((imm >> 23) & 1) ^ 1 ^ s;
                const j2 = ((imm >> 22) & 1) ^ 1 ^ s;
                return t32(
                  0xf000 | (s << 10) | ((imm >> 12) & 0x3ff),
                  0xd000 | (j1 << 13) | (j2 << 11) | ((imm >> 1) & 0x7ff),
                );
              },
            },
          };
        }
        default: {
          // CBZ / CBNZ (forward 0..126: the next unit)
          const nz = rng.int(2);
          const rn = lo(rng);
          pre.push(0xb100);
          return {
            words: pre,
            branch: {
              skip: 0,
              encode: (offset) => {
                const imm = offset - 4;
                return 0xb100 | (nz << 11) | (((imm >> 6) & 1) << 9) | (((imm >> 1) & 0x1f) << 3) | rn;
              },
            },
          };
        }
      }
    },
  },
);
