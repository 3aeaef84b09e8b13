// The decoder's shortcuts against the plain definition: the encodings a word matches are
// found by scanning all of ENCODINGS; decodeWord scans only a bucket chosen by key bits
// and memoizes whole results. Both must change nothing.

import { describe, expect, it } from "vitest";
import { candidates, decodeUncached, decodeWord, ENCODINGS } from "../../src/decode/pattern.js";
import "../../src/sem/all.js";
import { Rng } from "../../src/difftest/rng.js";
import type { Isa } from "../../src/sem/defs.js";

function randomWord(rng: Rng, isa: Isa): number {
  const w = rng.u32();
  if (isa === "T16") return w & 0xffff;
  if (isa === "T32") return (w | 0xe8000000) >>> 0; // a 32-bit Thumb first halfword
  return w;
}

describe("instruction decoding", () => {
  for (const isa of ["A32", "T32", "T16"] as Isa[])
    it(`${isa}: each bucket holds every encoding a word matches, in table order`, () => {
      const rng = new Rng(0x5eed + isa.length);
      for (let i = 0; i < 100_000; i++) {
        const w = randomWord(rng, isa);
        const match = (e: { mask: number; value: number }) => (w & e.mask) >>> 0 === e.value;
        expect(candidates(isa, w).filter(match)).toEqual(ENCODINGS[isa].filter(match));
      }
    });

  it("memoized results equal fresh ones, in and out of IT blocks", () => {
    const rng = new Rng(77);
    const ctxs = [
      { inIT: false, lastInIT: false },
      { inIT: true, lastInIT: false },
      { inIT: true, lastInIT: true },
    ];
    for (let i = 0; i < 20_000; i++)
      for (const isa of ["A32", "T32", "T16"] as Isa[]) {
        const w = randomWord(rng, isa);
        for (const ctx of isa === "A32" ? ctxs.slice(0, 1) : ctxs) {
          decodeWord(isa, w, ctx); // fills the memo
          expect(decodeWord(isa, w, ctx)).toEqual(decodeUncached(isa, w, ctx));
        }
      }
  });
});
