// A32 media and miscellaneous integer instructions (src/sem/media.ts): MOVW/MOVT, CLZ,
// QADD/QSUB/QDADD/QDSUB, parallel add/subtract (S Q SH U UQ UH x ADD16 ASX SAX SUB16
// ADD8 SUB8), SEL, PKHBT/PKHTB, SSAT/USAT (shifted), SSAT16/USAT16, REV/REV16/REVSH/RBIT,
// SXT*/UXT* and the accumulate forms (rotation), USAD8/USADA8, SBFX/UBFX, BFI/BFC.
// Registers r0-r14, random conditions; a few UNDEFINED encodings of the media space (AL).

import type { Rng } from "../rng.js";
import { registerGen } from "./index.js";
import { randCond } from "./types.js";

const r = (rng: Rng) => rng.int(15);
const c = (rng: Rng) => randCond(rng) << 28;

const PFX = [1, 2, 3, 5, 6, 7];
const POP = [0, 1, 2, 3, 4, 7];

registerGen(
  {
    name: "media",
    isa: "arm",
    weight: 4,
    gen(rng) {
      // parallel add/subtract: cccc 0110 0ppp nnnn dddd 1111 ooo1 mmmm (rarely an undefined op)
      const bad = rng.chance(0.03);
      const p = bad ? rng.pick([0, 4, 1]) : rng.pick(PFX);
      const o = bad ? rng.pick([5, 6]) : rng.pick(POP);
      // (UNDEFINED ones unconditional: QEMU skips a conditional UNDEFINED encoding whose condition fails)
      const cond = bad ? 0xe0000000 : c(rng);
      return (cond | 0x06000f10 | (p << 20) | (r(rng) << 16) | (r(rng) << 12) | (o << 5) | r(rng)) >>> 0;
    },
  },
  {
    name: "media",
    isa: "arm",
    weight: 2,
    gen(rng) {
      // SEL, or a GE-setting parallel op followed by SEL
      const sel = (c(rng) | 0x06800fb0 | (r(rng) << 16) | (r(rng) << 12) | r(rng)) >>> 0;
      if (rng.chance(0.5)) return sel;
      const pre =
        (0xe6000f10 |
          (rng.pick([1, 5]) << 20) |
          (r(rng) << 16) |
          (r(rng) << 12) |
          (rng.pick(POP) << 5) |
          r(rng)) >>>
        0;
      return [pre, sel];
    },
  },
  {
    name: "media",
    isa: "arm",
    weight: 2,
    gen(rng) {
      // QADD/QSUB/QDADD/QDSUB: cccc 0001 0oo0 nnnn dddd 0000 0101 mmmm
      return (c(rng) | 0x01000050 | (rng.int(4) << 21) | (r(rng) << 16) | (r(rng) << 12) | r(rng)) >>> 0;
    },
  },
  {
    name: "media",
    isa: "arm",
    weight: 3,
    gen(rng) {
      // SSAT/USAT: cccc 0110 1u1s ssss dddd iiii ih01 nnnn; SSAT16/USAT16
      const u = rng.int(2);
      if (rng.chance(0.3)) {
        return (c(rng) | 0x06a00f30 | (u << 22) | (rng.int(16) << 16) | (r(rng) << 12) | r(rng)) >>> 0;
      }
      const imm = rng.chance(0.3) ? rng.pick([0, 1, 16, 31]) : rng.int(32);
      const sat = rng.chance(0.3) ? rng.pick([0, 1, 15, 16, 30, 31]) : rng.int(32);
      return (
        (c(rng) |
          0x06a00010 |
          (u << 22) |
          (sat << 16) |
          (r(rng) << 12) |
          (imm << 7) |
          (rng.int(2) << 6) |
          r(rng)) >>>
        0
      );
    },
  },
  {
    name: "media",
    isa: "arm",
    weight: 3,
    gen(rng) {
      // extend (and add): cccc 0110 1ooo nnnn dddd rr00 0111 mmmm (n = 15: no add)
      const o = rng.pick([0, 2, 3, 4, 6, 7]);
      const n = rng.chance(0.4) ? 15 : r(rng);
      return (
        (c(rng) | 0x06800070 | (o << 20) | (n << 16) | (r(rng) << 12) | (rng.int(4) << 10) | r(rng)) >>> 0
      );
    },
  },
  {
    name: "media",
    isa: "arm",
    weight: 2,
    gen(rng) {
      // PKHBT/PKHTB: cccc 0110 1000 nnnn dddd iiii it01 mmmm
      const imm = rng.chance(0.3) ? rng.pick([0, 1, 16, 31]) : rng.int(32);
      return (
        (c(rng) | 0x06800010 | (r(rng) << 16) | (r(rng) << 12) | (imm << 7) | (rng.int(2) << 6) | r(rng)) >>>
        0
      );
    },
  },
  {
    name: "media",
    isa: "arm",
    weight: 2,
    gen(rng) {
      // REV/REV16/RBIT/REVSH: cccc 0110 1o11 1111 dddd 1111 q011 mmmm; CLZ
      if (rng.chance(0.3)) return (c(rng) | 0x016f0f10 | (r(rng) << 12) | r(rng)) >>> 0;
      return (c(rng) | 0x06bf0f30 | (rng.int(2) << 22) | (r(rng) << 12) | (rng.int(2) << 7) | r(rng)) >>> 0;
    },
  },
  {
    name: "media",
    isa: "arm",
    weight: 1,
    gen(rng) {
      // USAD8/USADA8: cccc 0111 1000 dddd aaaa mmmm 0001 nnnn
      const a = rng.chance(0.4) ? 15 : r(rng);
      return (c(rng) | 0x07800010 | (r(rng) << 16) | (a << 12) | (r(rng) << 8) | r(rng)) >>> 0;
    },
  },
  {
    name: "media",
    isa: "arm",
    weight: 3,
    gen(rng) {
      const lsb = rng.int(32);
      if (rng.chance(0.5)) {
        // SBFX/UBFX: cccc 0111 1u1w wwww dddd llll l101 nnnn, lsb + width <= 32
        const w1 = rng.int(32 - lsb);
        return (
          (c(rng) | 0x07a00050 | (rng.int(2) << 22) | (w1 << 16) | (r(rng) << 12) | (lsb << 7) | r(rng)) >>> 0
        );
      }
      // BFI/BFC: cccc 0111 110m mmmm dddd llll l001 nnnn, msb >= lsb
      const msb = lsb + rng.int(32 - lsb);
      const n = rng.chance(0.3) ? 15 : r(rng);
      return (c(rng) | 0x07c00010 | (msb << 16) | (r(rng) << 12) | (lsb << 7) | n) >>> 0;
    },
  },
  {
    name: "media",
    isa: "arm",
    weight: 1,
    gen(rng) {
      // MOVW/MOVT: cccc 0011 0t00 iiii dddd iiii iiii iiii
      const imm = rng.chance(0.3) ? rng.pick([0, 0xffff, 0x8000, 0x7fff]) : rng.bits(16);
      return (
        (c(rng) | 0x03000000 | (rng.int(2) << 22) | ((imm >> 12) << 16) | (r(rng) << 12) | (imm & 0xfff)) >>>
        0
      );
    },
  },
);
