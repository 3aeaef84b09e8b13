// Thumb multiplies, divides and media instructions (src/sem/thumb_media.ts): T16 MULS,
// T32 multiply/accumulate (MUL MLA MLS SMLA<x><y> SMUAD... SMMUL... USAD8), long
// multiply and divide, extend (+accumulate), parallel add/sub, QADD.., REV.., SEL, CLZ,
// SSAT/USAT(16), SBFX/UBFX/BFI/BFC, PKHBT/PKHTB.

import type { Rng } from "../rng.js";
import { registerGen } from "./index.js";
import { gp, itWord, lo, t32 } from "./thumb.js";

function genMedia(rng: Rng): number {
  switch (rng.int(10)) {
    case 0: // T16 MULS
      return 0x4340 | (lo(rng) << 3) | lo(rng);
    case 1: {
      // multiply, multiply-accumulate, absolute difference
      const op1 = rng.int(8);
      const op2 = op1 === 0 ? rng.int(2) : op1 === 1 ? rng.int(4) : op1 === 7 ? 0 : rng.int(2);
      const ra = rng.chance(0.3) ? 15 : gp(rng);
      return t32(0xfb00 | (op1 << 4) | gp(rng), (ra << 12) | (gp(rng) << 8) | (op2 << 4) | gp(rng));
    }
    case 2: {
      // long multiply / divide
      const [op1, op2] = rng.pick([
        [0, 0],
        [2, 0],
        [4, 0],
        [6, 0],
        [6, 6],
        [4, 8 + rng.int(4)],
        [4, 12 + rng.int(2)],
        [5, 12 + rng.int(2)],
        [1, 15],
        [3, 15],
      ] as const);
      if (op2 === 15) return t32(0xfb80 | (op1 << 4) | gp(rng), 0xf0f0 | (gp(rng) << 8) | gp(rng));
      const l = gp(rng);
      let h = gp(rng);
      while (h === l) h = gp(rng);
      return t32(0xfb80 | (op1 << 4) | gp(rng), (l << 12) | (h << 8) | (op2 << 4) | gp(rng));
    }
    case 3: // extend (+accumulate)
      return t32(
        0xfa00 | (rng.int(6) << 4) | (rng.chance(0.4) ? 15 : gp(rng)),
        0xf080 | (gp(rng) << 8) | (rng.int(4) << 4) | gp(rng),
      );
    case 4: // parallel add/subtract
      return t32(
        0xfa80 | (rng.pick([0, 1, 2, 4, 5, 6]) << 4) | gp(rng),
        0xf000 | (gp(rng) << 8) | (rng.int(2) << 6) | (rng.int(3) << 4) | gp(rng),
      );
    case 5: {
      // QADD.., REV.., SEL, CLZ
      const op1 = rng.int(4);
      const op2 = op1 >= 2 ? 0 : rng.int(4);
      const rm = gp(rng);
      const rn = op1 === 1 || op1 === 3 ? rm : gp(rng);
      return t32(0xfa80 | (op1 << 4) | rn, 0xf080 | (gp(rng) << 8) | (op2 << 4) | rm);
    }
    case 6: {
      // SSAT / USAT (+16)
      const u = rng.int(2);
      const sh = rng.int(2);
      const amt = rng.chance(0.2) ? 0 : rng.int(32);
      const sat = rng.int(32);
      return t32(
        0xf300 | (u << 7) | (sh << 5) | gp(rng),
        ((amt >> 2) << 12) | (gp(rng) << 8) | ((amt & 3) << 6) | (sh && amt === 0 ? sat & 15 : sat),
      );
    }
    case 7: {
      // SBFX / UBFX
      const lsb = rng.int(32);
      const w = 1 + rng.int(32 - lsb);
      return t32(
        0xf340 | (rng.int(2) << 7) | gp(rng),
        ((lsb >> 2) << 12) | (gp(rng) << 8) | ((lsb & 3) << 6) | (w - 1),
      );
    }
    case 8: {
      // BFI / BFC
      const lsb = rng.int(32);
      const msb = lsb + rng.int(32 - lsb);
      return t32(
        0xf360 | (rng.chance(0.3) ? 15 : gp(rng)),
        ((lsb >> 2) << 12) | (gp(rng) << 8) | ((lsb & 3) << 6) | msb,
      );
    }
    default: {
      // PKHBT / PKHTB
      const amt = rng.int(32);
      return t32(
        0xeac0 | gp(rng),
        ((amt >> 2) << 12) | (gp(rng) << 8) | ((amt & 3) << 6) | (rng.int(2) << 5) | gp(rng),
      );
    }
  }
}

registerGen(
  { name: "thumb_media", isa: "thumb", weight: 4, gen: (rng) => genMedia(rng) },
  {
    // media instructions inside an IT block
    name: "thumb_it",
    isa: "thumb",
    weight: 1,
    gen(rng) {
      const { word, conds } = itWord(rng, 1 + rng.int(4));
      return [word, ...conds.map(() => genMedia(rng))];
    },
  },
);
