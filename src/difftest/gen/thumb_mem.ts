// Thumb loads and stores (src/sem/thumb_ldst.ts): T16 immediate/register/SP-relative
// forms, LDM/STM, PUSH/POP; T32 imm12/imm8 (pre/post-indexed, negative, unprivileged),
// register (LSL #0-3), LDRD/STRD, exclusives (with CLREX), literal loads, LDM/STM
// IA/DB. Each unit first sets the base (and index) registers with MOVW/MOVT so that the
// access lands in the scratch memory.

import type { Rng } from "../rng.js";
import { registerGen } from "./index.js";
import { itWord, lo, t32 } from "./thumb.js";
import type { GenCtx, Unit } from "./types.js";

/** A register from r0-r12, r14 not in `not`. */
function gpNot(rng: Rng, ...not: number[]): number {
  for (;;) {
    let r = rng.int(14);
    if (r === 13) r = 14;
    if (!not.includes(r)) return r;
  }
}
function loNot(rng: Rng, ...not: number[]): number {
  for (;;) {
    const r = lo(rng);
    if (!not.includes(r)) return r;
  }
}

/** An address inside the scratch area for `size` bytes, `align`-aligned. */
function addr(rng: Rng, ctx: GenCtx, size: number, align: number): number {
  return (ctx.scratchBase + rng.int(ctx.scratchSize - size + 1)) & ~(align - 1);
}

const SIZES = [1, 2, 4];

function t16Access(rng: Rng, ctx: GenCtx): Unit {
  const rt = lo(rng);
  const rn = loNot(rng, rt);
  switch (rng.int(6)) {
    case 0: {
      // STR/LDR/STRB/LDRB imm5
      const B = rng.int(2);
      const L = rng.int(2);
      const imm = rng.int(32);
      const off = B ? imm : imm * 4;
      const a = addr(rng, ctx, B ? 1 : 4, B ? 1 : 4);
      const base = a - off;
      if (base < ctx.scratchBase - 128) return t16Access(rng, ctx);
      return {
        words: [...ctx.movImm32(rn, base), 0x6000 | (B << 12) | (L << 11) | (imm << 6) | (rn << 3) | rt],
      };
    }
    case 1: {
      // STRH/LDRH imm5
      const imm = rng.int(32);
      const a = addr(rng, ctx, 2, 2);
      return {
        words: [...ctx.movImm32(rn, a - imm * 2), 0x8000 | (rng.int(2) << 11) | (imm << 6) | (rn << 3) | rt],
      };
    }
    case 2: {
      // register offset, all 8 ops
      const op = rng.int(8);
      const size = [4, 2, 1, 1, 4, 2, 1, 2][op]!;
      const rm = loNot(rng, rt, rn);
      const a = addr(rng, ctx, size, size);
      const off = rng.int(64) - 32;
      return {
        words: [
          ...ctx.movImm32(rn, a - off),
          ...ctx.movImm32(rm, off),
          0x5000 | (op << 9) | (rm << 6) | (rn << 3) | rt,
        ],
      };
    }
    case 4: // LDR (literal): the stream's own code
      return { words: [0x4800 | (rt << 8) | rng.int(256)] };
    default: {
      // LDM/STM IA! (T16)
      let list = rng.int(255) + 1;
      const L = rng.int(2);
      if (!L && list & (1 << rn) && list & ((1 << rn) - 1)) list &= ~(1 << rn);
      if (list === 0) list = 1 << rt;
      const base = addr(rng, ctx, 32, 4);
      return { words: [...ctx.movImm32(rn, base), 0xc000 | (L << 11) | (rn << 8) | list] };
    }
  }
}

function t32Access(rng: Rng, ctx: GenCtx): Unit {
  const rt = gpNot(rng);
  const rn = gpNot(rng, rt);
  const k = rng.int(7);
  if (k <= 2) {
    const L = rng.int(2);
    const S = L ? rng.int(2) : 0;
    const sz = S ? rng.int(2) : rng.int(3);
    const size = SIZES[sz]!;
    const a = addr(rng, ctx, size, rng.chance(0.05) ? 1 : size);
    const rs = (L << 4) | (S << 8) | (sz << 5);
    if (k === 0) {
      // imm12
      const imm = rng.int(256);
      return { words: [...ctx.movImm32(rn, a - imm), t32(0xf880 | rs | rn, (rt << 12) | imm)] };
    }
    if (k === 1) {
      // imm8 with P/U/W: offset (negative), pre, post, unprivileged
      const [P, U, W] = rng.pick([
        [1, 0, 0],
        [1, 1, 1],
        [1, 0, 1],
        [0, 1, 1],
        [0, 0, 1],
        [1, 1, 0],
      ] as const);
      const imm = rng.int(256);
      const base = P ? (U ? a - imm : a + imm) : a;
      return {
        words: [
          ...ctx.movImm32(rn, base),
          t32(0xf800 | rs | rn, (rt << 12) | 0x800 | (P << 10) | (U << 9) | (W << 8) | imm),
        ],
      };
    }
    // register, LSL #0-3
    const rm = gpNot(rng, rt, rn);
    const sh = rng.int(4);
    const idx = rng.int(16);
    return {
      words: [
        ...ctx.movImm32(rn, a - (idx << sh)),
        ...ctx.movImm32(rm, idx),
        t32(0xf800 | rs | rn, (rt << 12) | (sh << 4) | rm),
      ],
    };
  }
  if (k === 3) {
    // LDRD / STRD
    const rt2 = gpNot(rng, rt, rn);
    const L = rng.int(2);
    const [P, W] = rng.pick([
      [1, 0],
      [1, 1],
      [0, 1],
    ] as const);
    const U = rng.int(2);
    const imm = rng.int(16);
    const a = addr(rng, ctx, 8, 4);
    const base = P ? (U ? a - imm * 4 : a + imm * 4) : a;
    return {
      words: [
        ...ctx.movImm32(rn, base),
        t32(0xe840 | (P << 8) | (U << 7) | (W << 5) | (L << 4) | rn, (rt << 12) | (rt2 << 8) | imm),
      ],
    };
  }
  if (k === 4) {
    // exclusives: LDREX* then STREX* (succeeds), or CLREX then STREX* (fails)
    const sz = rng.int(4); // B H W D
    const rd = gpNot(rng, rt, rn);
    const rt2 = gpNot(rng, rt, rn, rd);
    const size = [1, 2, 4, 8][sz]!;
    const a = addr(rng, ctx, size, size);
    const imm = sz === 2 ? rng.int(8) : 0;
    const ld =
      sz === 2
        ? t32(0xe850 | rn, (rt << 12) | 0xf00 | imm)
        : t32(0xe8d0 | rn, (rt << 12) | ((sz === 3 ? rt2 : 15) << 8) | 0x40 | ([0, 1, 0, 3][sz]! << 4) | 15);
    const st =
      sz === 2
        ? t32(0xe840 | rn, (rt << 12) | (rd << 8) | imm)
        : t32(0xe8c0 | rn, (rt << 12) | ((sz === 3 ? rt2 : 15) << 8) | 0x40 | ([0, 1, 0, 3][sz]! << 4) | rd);
    const first = rng.chance(0.8) ? ld : t32(0xf3bf, 0x8f2f);
    // LDREXD writes rt2 too: make the store use the same registers
    if (sz === 3 && first === ld && rt2 === rd) return t32Access(rng, ctx);
    return { words: [...ctx.movImm32(rn, a - imm * 4), first, st] };
  }
  if (k === 5) {
    // literal loads (the stream's own code), PLD
    const sz = rng.int(3);
    const S = sz < 2 ? rng.int(2) : 0;
    return { words: [t32(0xf81f | (S << 8) | (rng.int(2) << 7) | (sz << 5), (rt << 12) | rng.int(256))] };
  }
  // LDM / STM IA / DB, with or without writeback
  const L = rng.int(2);
  const db = rng.int(2);
  const W = rng.int(2);
  let list = 0;
  while ((list & ~(1 << 13)).toString(2).replace(/0/g, "").length < 2) list |= 1 << gpNot(rng);
  list &= ~((1 << 13) | (1 << 15));
  if (W || L) list &= ~(1 << rn);
  if (list.toString(2).replace(/0/g, "").length < 2) return t32Access(rng, ctx);
  const base = db ? addr(rng, ctx, 0, 4) + 64 : addr(rng, ctx, 64, 4);
  return {
    words: [
      ...ctx.movImm32(rn, Math.min(base, ctx.scratchBase + ctx.scratchSize)),
      t32((0xe890 ^ (L ? 0 : 0x10) ^ (db ? 0x180 : 0)) | (W << 5) | rn, list),
    ],
  };
}

function pushPop(rng: Rng, ctx: GenCtx): Unit {
  const tmp = lo(rng);
  const sp = ctx.scratchBase + 64 + rng.int(32) * 4;
  const words = [...ctx.movImm32(tmp, sp), 0x4685 | (tmp << 3)]; // mov sp, tmp
  for (let i = 0; i < 2; i++) {
    if (rng.chance(0.3)) {
      // SP-relative: STR/LDR rt, [sp, #imm8*4], ADD rd, SP, #imm, ADD/SUB SP, SP, #imm
      const k = rng.int(3);
      if (k === 0) words.push(0x9000 | (rng.int(2) << 11) | (lo(rng) << 8) | rng.int(16));
      else if (k === 1) words.push(0xa800 | (lo(rng) << 8) | rng.int(256));
      else words.push(0xb000 | (rng.int(2) << 7) | rng.int(8));
      continue;
    }
    const wide = rng.chance(0.3);
    const pop = rng.int(2);
    if (!wide) {
      words.push((pop ? 0xbc00 : 0xb400) | (pop ? 0 : rng.int(2) << 8) | (rng.int(255) + 1));
    } else {
      let list = 0;
      while (list.toString(2).replace(/0/g, "").length < 2) list |= 1 << gpNot(rng);
      words.push(pop ? t32(0xe8bd, list) : t32(0xe92d, list));
    }
  }
  return { words };
}

registerGen(
  { name: "thumb_ldst", isa: "thumb", weight: 3, gen: (rng, ctx) => t16Access(rng, ctx) },
  { name: "thumb_ldst", isa: "thumb", weight: 4, gen: (rng, ctx) => t32Access(rng, ctx) },
  { name: "thumb_ldst", isa: "thumb", weight: 1, gen: (rng, ctx) => pushPop(rng, ctx) },
  {
    // a conditional access: the address set-up, then an IT block around the access
    name: "thumb_it",
    isa: "thumb",
    weight: 1,
    gen(rng, ctx): Unit {
      const u = rng.chance(0.5) ? t16Access(rng, ctx) : t32Access(rng, ctx);
      const w = u.words;
      const { word, conds } = itWord(rng, 1);
      void conds;
      return { words: [...w.slice(0, -1), word, w[w.length - 1]!] };
    },
  },
);
