// A32 loads and stores (src/sem/ldst.ts): LDR/STR/LDRB/STRB (immediate, shifted register,
// literal), LDRH/STRH/LDRSB/LDRSH and LDRD/STRD (immediate, register, literal), the
// unprivileged T forms, LDM/STM in all four modes with writeback (and the user-register
// forms are in the directed fixtures), exclusives with CLREX, SWP/SWPB, PLD/PLDW/PLI.
//
// Each unit sets the base (and index) register with MOVW/MOVT so that every access lands
// in the scratch memory, then runs the access. Occasionally the address is misaligned
// on purpose (alignment faults of LDRD/LDM/exclusives; unaligned LDR/LDRH). The PC is
// never loaded (LDR PC / LDM {..pc} are covered by fixtures/src/diff_ldst*.S).

import type { Rng } from "../rng.js";
import { registerGen } from "./index.js";
import { type GenCtx, randCond } from "./types.js";

const reg = (rng: Rng) => rng.int(15);

/** A register different from all of `not`. */
function regNot(rng: Rng, ...not: number[]): number {
  for (;;) {
    const r = rng.int(15);
    if (!not.includes(r)) return r;
  }
}

/** An address in the scratch area for an access of `size` bytes, aligned to `align` (mostly). */
function scratchAddr(rng: Rng, ctx: GenCtx, size: number, align: number, misalign = 0.03): number {
  let a = ctx.scratchBase + rng.int(ctx.scratchSize - size + 1);
  if (!rng.chance(misalign)) a &= ~(align - 1);
  return a >>> 0;
}

/** Random P/W (addressing mode) bits: offset, pre-indexed, post-indexed (or T when allowed). */
function pw(rng: Rng, allowT: boolean): { P: number; W: number } {
  const k = rng.int(allowT ? 7 : 6);
  if (k < 2) return { P: 1, W: 0 };
  if (k < 4) return { P: 1, W: 1 };
  if (k < 6) return { P: 0, W: 0 };
  return { P: 0, W: 1 };
}

/** Apply an A32 immediate shift (no RRX) to v. */
function shiftVal(v: number, type: number, imm5: number): number {
  v >>>= 0;
  switch (type) {
    case 0:
      return (v << imm5) >>> 0;
    case 1:
      return imm5 === 0 ? 0 : v >>> imm5;
    case 2:
      return imm5 === 0 ? (v >> 31) >>> 0 : (v >> imm5) >>> 0;
    default:
      return ((v >>> imm5) | (v << (32 - imm5))) >>> 0;
  }
}

registerGen(
  {
    // LDR/STR/LDRB/STRB immediate (incl. LDRT/STRT/LDRBT/STRBT)
    name: "ldst",
    isa: "arm",
    weight: 4,
    gen(rng, ctx) {
      const L = rng.int(2);
      const B = rng.int(2);
      const { P, W } = pw(rng, true);
      const wb = P === 0 || W === 1;
      const rn = reg(rng);
      const rt = wb ? regNot(rng, rn) : reg(rng);
      const imm = rng.chance(0.5) ? rng.int(16) : rng.int(256);
      const U = rng.int(2);
      const addr = scratchAddr(rng, ctx, B ? 1 : 4, B ? 1 : 4, 0.1);
      const base = P ? (addr - (U ? imm : -imm)) >>> 0 : addr;
      const w =
        (randCond(rng) << 28) |
        (0b010 << 25) |
        (P << 24) |
        (U << 23) |
        (B << 22) |
        (W << 21) |
        (L << 20) |
        (rn << 16) |
        (rt << 12) |
        imm;
      return [...ctx.movImm32(rn, base), w >>> 0];
    },
  },
  {
    // LDR/STR/LDRB/STRB register (LSL/LSR/ASR/ROR; no RRX: its offset depends on C)
    name: "ldst",
    isa: "arm",
    weight: 4,
    gen(rng, ctx) {
      const L = rng.int(2);
      const B = rng.int(2);
      const { P, W } = pw(rng, true);
      const wb = P === 0 || W === 1;
      const rn = reg(rng);
      const rm = regNot(rng, rn);
      const rt = wb ? regNot(rng, rn) : reg(rng);
      const type = rng.int(4);
      let imm5 = rng.chance(0.5) ? rng.int(4) : rng.int(32);
      if (type === 3 && imm5 === 0) imm5 = 1;
      const U = rng.int(2);
      // index value: small, or large so that ASR/LSR/ROR produce a small offset
      let rmv: number;
      if (type === 0) rmv = rng.int(64) >>> 0;
      else if (type === 3) rmv = ((rng.int(64) << imm5) | (rng.int(64) >>> (32 - imm5))) >>> 0;
      else rmv = rng.chance(0.5) ? rng.int(0x10000) : rng.u32();
      const off = shiftVal(rmv, type, imm5);
      const addr = scratchAddr(rng, ctx, B ? 1 : 4, B ? 1 : 4, 0.1);
      const base = P ? (addr - (U ? off : -off)) >>> 0 : addr;
      const w =
        (randCond(rng) << 28) |
        (0b011 << 25) |
        (P << 24) |
        (U << 23) |
        (B << 22) |
        (W << 21) |
        (L << 20) |
        (rn << 16) |
        (rt << 12) |
        (imm5 << 7) |
        (type << 5) |
        rm;
      // rt may equal rm: set the base last when rt == rm would not matter (loads write rt after)
      return [...ctx.movImm32(rm, rmv), ...ctx.movImm32(rn, base), w >>> 0];
    },
  },
  {
    // halfword / signed / doubleword, immediate and register forms (and the T forms)
    name: "ldst",
    isa: "arm",
    weight: 4,
    gen(rng, ctx) {
      const kind = rng.pick(["strh", "ldrh", "ldrsb", "ldrsh", "ldrd", "strd"] as const);
      const L = kind === "strh" || kind === "ldrd" || kind === "strd" ? 0 : 1;
      const op2 = { strh: 1, ldrh: 1, ldrsb: 2, ldrsh: 3, ldrd: 2, strd: 3 }[kind];
      const dw = kind === "ldrd" || kind === "strd";
      const { P, W } = pw(rng, !dw);
      const wb = P === 0 || W === 1;
      const regForm = rng.int(2);
      const rn = reg(rng);
      let rt: number;
      if (dw) {
        do rt = rng.int(7) * 2;
        while (wb && (rt === rn || rt + 1 === rn));
      } else rt = wb ? regNot(rng, rn) : reg(rng);
      const sz = dw ? 8 : kind === "ldrsb" ? 1 : 2;
      const addr = scratchAddr(rng, ctx, sz, dw ? 4 : sz, dw ? 0.05 : 0.1);
      const U = rng.int(2);
      const cond = randCond(rng) << 28;
      const head =
        cond | (P << 24) | (U << 23) | (W << 21) | (L << 20) | (rn << 16) | (rt << 12) | 0x90 | (op2 << 5);
      if (regForm) {
        const rm = kind === "ldrd" ? regNot(rng, rn, rt, rt + 1) : regNot(rng, rn);
        const off = rng.int(64);
        const base = P ? (addr - (U ? off : -off)) >>> 0 : addr;
        return [...ctx.movImm32(rm, off), ...ctx.movImm32(rn, base), (head | rm) >>> 0];
      }
      const imm = rng.int(256);
      const base = P ? (addr - (U ? imm : -imm)) >>> 0 : addr;
      return [...ctx.movImm32(rn, base), (head | (1 << 22) | ((imm >> 4) << 8) | (imm & 15)) >>> 0];
    },
  },
  {
    // literal loads (PC-relative; the stream's own code is the same on both sides)
    name: "ldst",
    isa: "arm",
    weight: 1,
    gen(rng) {
      const U = rng.int(2);
      const rt = reg(rng);
      const cond = randCond(rng) << 28;
      const imm = rng.int(64);
      switch (rng.int(3)) {
        case 0: {
          const B = rng.int(2);
          return (cond | 0x051f0000 | (U << 23) | (B << 22) | (rt << 12) | imm) >>> 0;
        }
        case 1: {
          const op2 = rng.pick([1, 2, 3]);
          return (
            (cond | 0x015f0090 | (U << 23) | (rt << 12) | ((imm >> 4) << 8) | (op2 << 5) | (imm & 15)) >>> 0
          );
        }
        default: {
          const t = rng.int(7) * 2;
          const im = imm & ~3;
          return (cond | 0x014f00d0 | (U << 23) | (t << 12) | ((im >> 4) << 8) | (im & 15)) >>> 0;
        }
      }
    },
  },
  {
    // LDM/STM (all modes, writeback, user-register forms), PUSH/POP
    name: "ldst",
    isa: "arm",
    weight: 3,
    gen(rng, ctx) {
      const L = rng.int(2);
      const mode = rng.int(4); // P:U
      const P = mode >> 1;
      const U = mode & 1;
      const rn = reg(rng);
      let list = 0;
      const nregs = rng.chance(0.3) ? 1 + rng.int(3) : 1 + rng.int(14);
      for (let i = 0; i < nregs; i++) list |= 1 << reg(rng);
      // (no user-register forms: UNPREDICTABLE in SYS mode, where streams run; QEMU then
      // uses stale banked copies. diff_ldst_user.S covers them in SVC/FIQ mode.)
      const S = 0;
      let W = rng.int(2);
      if (W && (list >> rn) & 1) {
        // STM: only the lowest register may be the base; LDM: never
        if (L || (list & ((1 << rn) - 1)) !== 0) W = 0;
      }
      let n = 0;
      for (let x = list; x; x &= x - 1) n++;
      const lowest = scratchAddr(rng, ctx, 4 * n, 4, 0.03);
      // the base value that makes the lowest address `lowest`
      const base = [lowest + 4 * n - 4, lowest, lowest + 4 * n, lowest - 4][mode]! >>> 0;
      const w =
        (randCond(rng) << 28) |
        (0b100 << 25) |
        (P << 24) |
        (U << 23) |
        (S << 22) |
        (W << 21) |
        (L << 20) |
        (rn << 16) |
        list;
      return [...ctx.movImm32(rn, base), w >>> 0];
    },
  },
  {
    // exclusives: LDREX{B,H,D} and STREX{B,H,D} on the same or another address, CLREX
    name: "ldst",
    isa: "arm",
    weight: 2,
    gen(rng, ctx) {
      const sz = rng.int(4); // 0 W, 1 D, 2 B, 3 H (A32 op field)
      const bytes = [4, 8, 1, 2][sz]!;
      const rn = reg(rng);
      const addr = scratchAddr(rng, ctx, 8, bytes, 0.03);
      const out = [...ctx.movImm32(rn, addr)];
      const cond = () => (rng.chance(0.8) ? 14 : randCond(rng)) << 28;
      const pair = () => {
        let t: number;
        do t = rng.int(7) * 2;
        while (t === rn || t + 1 === rn);
        return t;
      };
      const what = rng.int(6);
      if (what !== 1) {
        const t = sz === 1 ? pair() : regNot(rng, rn);
        out.push((cond() | 0x01900f9f | (sz << 21) | (rn << 16) | (t << 12)) >>> 0);
      }
      if (what === 2) out.push(0xf57ff01f); // CLREX
      if (what === 3) {
        // a plain store in between (QEMU compares the value)
        const t = regNot(rng, rn);
        out.push((0xe5800000 | (rn << 16) | (t << 12) | (rng.int(2) ? 0 : 4)) >>> 0);
      }
      if (what !== 4 || rng.chance(0.5)) {
        const ssz = rng.chance(0.85) ? sz : rng.int(4);
        const t = ssz === 1 ? pair() : regNot(rng, rn);
        const d = regNot(rng, rn, t, ssz === 1 ? t + 1 : t);
        const a2 = rng.chance(0.15) ? 4 : 0;
        if (a2) out.push((0xe2800000 | (rn << 16) | (rn << 12) | a2) >>> 0); // add rn, rn, #4
        out.push((cond() | 0x01800f90 | (ssz << 21) | (rn << 16) | (d << 12) | t) >>> 0);
      }
      return out;
    },
  },
  {
    // SWP/SWPB, preloads
    name: "ldst",
    isa: "arm",
    weight: 1,
    gen(rng, ctx) {
      if (rng.chance(0.4)) {
        const U = rng.int(2) << 23;
        const rn = rng.int(16);
        const rm = reg(rng);
        const tail = rng.int(2) ? rng.bits(12) : (rng.bits(7) << 5) | rm;
        const regF = rng.int(2);
        const kind = rng.int(3); // PLI, PLDW, PLD
        const hi = regF
          ? [0xf650f000, 0xf790f000, 0xf7d0f000][kind]!
          : [0xf450f000, 0xf590f000, 0xf5d0f000][kind]!;
        return (hi | U | (rn << 16) | (regF ? tail & ~0x10 : tail)) >>> 0;
      }
      const B = rng.int(2);
      const rn = reg(rng);
      const rt = regNot(rng, rn);
      const rt2 = regNot(rng, rn);
      const addr = scratchAddr(rng, ctx, 4, B ? 1 : 4, 0.05);
      return [
        ...ctx.movImm32(rn, addr),
        ((randCond(rng) << 28) | 0x01000090 | (B << 22) | (rn << 16) | (rt << 12) | rt2) >>> 0,
      ];
    },
  },
);
