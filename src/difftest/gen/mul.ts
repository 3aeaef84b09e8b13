// A32 multiplies and divides (src/sem/mul.ts): MUL/MLA/MLS, UMULL/UMLAL/SMULL/SMLAL (S),
// UMAAL, SMUL/SMLA<x><y>, SMULW/SMLAW<y>, SMLAL<x><y>, SMUAD/SMUSD/SMLAD/SMLSD (X),
// SMLALD/SMLSLD (X), SMMUL/SMMLA/SMMLS (R), SDIV/UDIV. Registers r0-r14, random
// conditions; RdHi != RdLo for the long forms. A few UNDEFINED encodings (AL).

import type { Rng } from "../rng.js";
import { registerGen } from "./index.js";
import { randCond } from "./types.js";

const r = (rng: Rng) => rng.int(15);

/** Two distinct registers (RdLo, RdHi). */
function pair(rng: Rng): [number, number] {
  const lo = r(rng);
  let hi = r(rng);
  while (hi === lo) hi = r(rng);
  return [lo, hi];
}

registerGen(
  {
    name: "mul",
    isa: "arm",
    weight: 3,
    gen(rng) {
      // cccc 0000 oooS dddd aaaa mmmm 1001 nnnn
      if (rng.chance(0.02)) {
        // UMAALS / "MLSS": UNDEFINED (unconditional, see below)
        const [lo, hi] = pair(rng);
        return (
          (0xe0000090 |
            ((2 + rng.int(2)) << 21) |
            (1 << 20) |
            (hi << 16) |
            (lo << 12) |
            (r(rng) << 8) |
            r(rng)) >>>
          0
        );
      }
      const o = rng.int(8);
      let s = o === 2 || o === 3 ? 0 : rng.int(2);
      let d = r(rng);
      let a = o === 0 ? 0 : r(rng);
      if (o === 2 || o >= 4) [a, d] = pair(rng);
      if (o === 3) s = 0;
      return (
        ((randCond(rng) << 28) |
          (o << 21) |
          (s << 20) |
          (d << 16) |
          (a << 12) |
          (r(rng) << 8) |
          0x90 |
          r(rng)) >>>
        0
      );
    },
  },
  {
    name: "mul",
    isa: "arm",
    weight: 2,
    gen(rng) {
      // halfword multiplies: cccc 0001 0oo0 dddd aaaa mmmm 1yx0 nnnn
      const o = rng.int(4);
      const x = rng.int(2);
      let d = r(rng);
      let a = r(rng);
      if (o === 3 || (o === 1 && x === 1)) a = 0; // SMUL<x><y>, SMULW<y>
      if (o === 2) [a, d] = pair(rng); // SMLAL<x><y>
      return (
        ((randCond(rng) << 28) |
          0x01000080 |
          (o << 21) |
          (d << 16) |
          (a << 12) |
          (r(rng) << 8) |
          (rng.int(2) << 6) |
          (x << 5) |
          r(rng)) >>>
        0
      );
    },
  },
  {
    name: "mul",
    isa: "arm",
    weight: 3,
    gen(rng) {
      // signed multiplies and divides: cccc 0111 0ooo dddd aaaa mmmm ppM1 nnnn
      if (rng.chance(0.03)) {
        // UNDEFINED corners (unconditional: QEMU skips a conditional UNDEFINED encoding
        // whose condition fails): unallocated op1, SDIV/UDIV or SMMUL with other op2 bits
        const [o, pp] = rng.pick([
          [2, 0],
          [6, 1],
          [7, 0],
          [0, 2],
          [4, 3],
          [1, 1],
          [3, 2],
          [5, 1],
          [5, 2],
        ] as const);
        return (
          (0xe7000010 | (o << 20) | (r(rng) << 16) | (0xf << 12) | (r(rng) << 8) | (pp << 6) | r(rng)) >>> 0
        );
      }
      const kind = rng.int(5);
      let o: number;
      let pp: number;
      let m = rng.int(2);
      let d = r(rng);
      let a = rng.chance(0.3) ? 15 : r(rng);
      switch (kind) {
        case 0: // SMLAD/SMUAD, SMLSD/SMUSD
          o = 0;
          pp = rng.int(2);
          break;
        case 1: // SMLALD, SMLSLD
          o = 4;
          pp = rng.int(2);
          [a, d] = pair(rng);
          break;
        case 2: // SDIV, UDIV
          o = rng.pick([1, 3]);
          pp = 0;
          m = 0;
          a = 15;
          break;
        case 3: // SMMLA/SMMUL
          o = 5;
          pp = 0;
          break;
        default: // SMMLS
          o = 5;
          pp = 3;
          a = r(rng);
      }
      return (
        ((randCond(rng) << 28) |
          0x07000010 |
          (o << 20) |
          (d << 16) |
          (a << 12) |
          (r(rng) << 8) |
          (pp << 6) |
          (m << 5) |
          r(rng)) >>>
        0
      );
    },
  },
);
