// Media and miscellaneous integer instructions: MOVW/MOVT, saturating arithmetic,
// SSAT/USAT(16), parallel add/subtract (GE flags), SEL, USAD8/USADA8, PKHBT/PKHTB,
// sign/zero extension (with accumulate), bit-field ops, byte/bit reversal, CLZ.
//
// ISA-neutral definitions (Thumb decoders map T32 encodings onto these; fields are
// register numbers unless noted):
//
//   MOVW     "movw"     params { top: 0/1 }                  fields [rd, imm]
//              top 0: MOVW rd = imm16; top 1: MOVT rd[31:16] = imm16.
//   QARITH   "qarith"   params { op: QOp (QADD, QSUB, QDADD, QDSUB) } fields [rd, rn, rm]
//              rd = sat(rm +/- [sat(2*rn)]), Q on saturation (ARM operand order: Q* Rd, Rm, Rn).
//   SAT      "sat"      params { u: 0/1, asr: 0/1 }          fields [rd, rn, amt, sat]
//              SSAT (u 0): rd = SignedSat(shift(rn), sat) with sat = saturate_to 1..32;
//              USAT (u 1): UnsignedSat(shift(rn), sat) with sat 0..31. shift: LSL #amt
//              (0..31) or, asr 1, ASR #amt (1..31; pass 31 for the encoded ASR #32, same result).
//   SAT16    "sat16"    params { u: 0/1 }                    fields [rd, rn, sat]
//              SSAT16 (sat 1..16) / USAT16 (sat 0..15) per halfword.
//   PARALLEL "parallel" params { pfx: Pfx (S, Q, SH, U, UQ, UH), op: POp (ADD16, ASX, SAX, SUB16, ADD8, SUB8) }
//                       fields [rd, rn, rm]   (S and U prefixes set GE)
//   SEL      "sel"      params {}                            fields [rd, rn, rm]
//   USAD8    "usad8"    params { acc: 0/1 }                  fields [rd, rn, rm, ra]   (ra unused when acc 0)
//   PKH      "pkh"      params { tb: 0/1 }                   fields [rd, rn, rm, amt]
//              PKHBT (tb 0): rn[15:0] | (rm LSL amt)[31:16]; PKHTB (tb 1): rn[31:16] |
//              (rm ASR amt)[15:0], amt 1..31 (pass 31 for the encoded ASR #32).
//   EXTEND   "extend"   params { op: XOp (SXTB, SXTH, SXTB16, UXTB, UXTH, UXTB16), acc: 0/1 }
//                       fields [rd, rn, rm, rot]   rot = rotation in bits (0, 8, 16, 24);
//              acc 1 = the SXTA*/UXTA* forms (rn added; halfwise for the *16 forms).
//   BFX      "bfx"      params { u: 0/1 }                    fields [rd, rn, lsb, width]
//              SBFX (u 0) / UBFX (u 1); width = widthminus1 + 1 (1..32), lsb + width <= 32.
//   BFI      "bfi"      params { clr: 0/1 }                  fields [rd, rn, lsb, msb]
//              BFI (clr 0) / BFC (clr 1, rn unused: pass 0); msb >= lsb.
//   REV      "rev"      params { op: RevOp (REV, REV16, REVSH, RBIT) } fields [rd, rm]
//   CLZ      "clz"      params {}                            fields [rd, rm]

import { S } from "../cpu/state.js";
import { type DecodeResult, enc } from "../decode/pattern.js";
import type { Builder, Fields, Params } from "./builder.js";
import { defineInsn } from "./defs.js";
import { addOv, clampK, satOv, setQ, ssatN, subOv, usatN } from "./media_common.js";

export const QOp = { QADD: 0, QSUB: 1, QDADD: 2, QDSUB: 3 } as const;
export const Pfx = { S: 0, Q: 1, SH: 2, U: 3, UQ: 4, UH: 5 } as const;
export const POp = { ADD16: 0, ASX: 1, SAX: 2, SUB16: 3, ADD8: 4, SUB8: 5 } as const;
export const XOp = { SXTB: 0, SXTH: 1, SXTB16: 2, UXTB: 3, UXTH: 4, UXTB16: 5 } as const;
export const RevOp = { REV: 0, REV16: 1, REVSH: 2, RBIT: 3 } as const;

export const MOVW = defineInsn(
  "movw",
  { top: 2 },
  ["rd", "imm"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    if (p.top) b.setReg(f.rd!, b.let(b.or(b.and(b.reg(f.rd!), b.k(0xffff)), b.shl(f.imm!, b.k(16)))));
    else b.setReg(f.rd!, f.imm!);
  },
);

export const QARITH = defineInsn(
  "qarith",
  { op: 4 },
  ["rd", "rn", "rm"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    let y = b.reg(f.rn!);
    const x = b.reg(f.rm!);
    let q: V | null = null;
    if (p.op === QOp.QDADD || p.op === QOp.QDSUB) {
      const d = addOv(b, y, y);
      q = d.ov;
      y = b.let(satOv(b, d.r, d.ov, y));
    }
    const t = p.op === QOp.QADD || p.op === QOp.QDADD ? addOv(b, x, y) : subOv(b, x, y);
    const r = b.let(satOv(b, t.r, t.ov, x));
    setQ(b, q === null ? t.ov : b.or(q, t.ov));
    b.setReg(f.rd!, r);
  },
);

export const SAT = defineInsn(
  "sat",
  { u: 2, asr: 2 },
  ["rd", "rn", "amt", "sat"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const rn = b.reg(f.rn!);
    const v = b.let(p.asr ? b.asr(rn, f.amt!) : b.shl(rn, f.amt!));
    const t = p.u ? usatN(b, v, f.sat!) : ssatN(b, v, f.sat!);
    setQ(b, t.q);
    b.setReg(f.rd!, t.r);
  },
);

export const SAT16 = defineInsn(
  "sat16",
  { u: 2 },
  ["rd", "rn", "sat"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const rn = b.reg(f.rn!);
    const lo = b.asr(b.shl(rn, b.k(16)), b.k(16));
    const hi = b.asr(rn, b.k(16));
    const t0 = p.u ? usatN(b, lo, f.sat!) : ssatN(b, lo, f.sat!);
    const t1 = p.u ? usatN(b, hi, f.sat!) : ssatN(b, hi, f.sat!);
    setQ(b, b.or(t0.q, t1.q));
    b.setReg(f.rd!, b.let(b.or(b.and(t0.r, b.k(0xffff)), b.shl(t1.r, b.k(16)))));
  },
);

/** One lane of a parallel op: lanes of width w at bit `pos`. */
function lane<V>(b: Builder<V>, x: V, pos: number, w: number, signed: boolean): V {
  if (signed) return b.asr(pos + w === 32 ? x : b.shl(x, b.k(32 - pos - w)), b.k(32 - w));
  if (pos + w === 32) return b.lsr(x, b.k(pos));
  return b.and(pos ? b.lsr(x, b.k(pos)) : x, b.k((1 << w) - 1));
}

export const PARALLEL = defineInsn(
  "parallel",
  { pfx: 6, op: 6 },
  ["rd", "rn", "rm"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const pfx = p.pfx!;
    const op = p.op!;
    const signed = pfx <= Pfx.SH;
    const a = b.reg(f.rn!);
    const c = b.reg(f.rm!);
    const bytes = op >= POp.ADD8;
    const w = bytes ? 8 : 16;
    const n = bytes ? 4 : 2;
    let res: V | null = null;
    let ge: V | null = null;
    for (let i = 0; i < n; i++) {
      // which lane of rm, and add or subtract
      let j = i;
      let sub: boolean;
      switch (op) {
        case POp.ASX:
          j = 1 - i;
          sub = i === 0;
          break;
        case POp.SAX:
          j = 1 - i;
          sub = i === 1;
          break;
        case POp.SUB16:
        case POp.SUB8:
          sub = true;
          break;
        default:
          sub = false;
      }
      const x = lane(b, a, i * w, w, signed);
      const y = lane(b, c, j * w, w, signed);
      const r = b.let(sub ? b.sub(x, y) : b.add(x, y));
      let v: V;
      let g: V | null = null;
      switch (pfx) {
        case Pfx.S:
          v = r;
          g = b.xor(b.lsr(r, b.k(31)), b.k(1));
          break;
        case Pfx.U:
          v = r;
          g = sub ? b.xor(b.lsr(r, b.k(31)), b.k(1)) : b.lsr(r, b.k(w));
          break;
        case Pfx.Q:
          v = clampK(b, r, -(1 << (w - 1)), (1 << (w - 1)) - 1).r;
          break;
        case Pfx.UQ:
          v = clampK(b, r, 0, (1 << w) - 1).r;
          break;
        default: // SH, UH
          v = b.asr(r, b.k(1));
      }
      let part = b.and(v, b.k((1 << w) - 1));
      if (i) part = b.shl(part, b.k(i * w));
      res = res === null ? part : b.or(res, part);
      if (g !== null) {
        const gb = b.let(g);
        const bits = bytes ? (i ? b.shl(gb, b.k(i)) : gb) : b.mul(gb, b.k(3 << (2 * i)));
        ge = ge === null ? bits : b.or(ge, bits);
      }
    }
    const r = b.let(res!);
    if (ge !== null) b.setState(S.GE, b.let(ge));
    b.setReg(f.rd!, r);
  },
);

export const SEL = defineInsn("sel", {}, ["rd", "rn", "rm"], <V>(b: Builder<V>, _p: Params, f: Fields<V>) => {
  // spread GE[i] to bit 8i, then widen to a byte mask
  const ge = b.getState(S.GE);
  const mask = b.let(b.mul(b.and(b.mul(ge, b.k(0x204081)), b.k(0x01010101)), b.k(0xff)));
  const r = b.or(b.and(b.reg(f.rn!), mask), b.and(b.reg(f.rm!), b.not(mask)));
  b.setReg(f.rd!, b.let(r));
});

export const USAD8 = defineInsn(
  "usad8",
  { acc: 2 },
  ["rd", "rn", "rm", "ra"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const x = b.reg(f.rn!);
    const y = b.reg(f.rm!);
    let sum: V | null = p.acc ? b.reg(f.ra!) : null;
    for (let i = 0; i < 4; i++) {
      const d = b.let(b.sub(lane(b, x, 8 * i, 8, false), lane(b, y, 8 * i, 8, false)));
      const m = b.let(b.asr(d, b.k(31)));
      const ad = b.sub(b.xor(d, m), m);
      sum = sum === null ? ad : b.add(sum, ad);
    }
    b.setReg(f.rd!, b.let(sum!));
  },
);

export const PKH = defineInsn(
  "pkh",
  { tb: 2 },
  ["rd", "rn", "rm", "amt"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const rn = b.reg(f.rn!);
    const rm = b.reg(f.rm!);
    const r = p.tb
      ? b.or(b.and(rn, b.k(0xffff0000)), b.and(b.asr(rm, f.amt!), b.k(0xffff)))
      : b.or(b.and(rn, b.k(0xffff)), b.and(b.shl(rm, f.amt!), b.k(0xffff0000)));
    b.setReg(f.rd!, b.let(r));
  },
);

export const EXTEND = defineInsn(
  "extend",
  { op: 6, acc: 2 },
  ["rd", "rn", "rm", "rot"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const v = b.let(b.ror(b.reg(f.rm!), f.rot!));
    const op = p.op!;
    let r: V;
    if (op === XOp.SXTB16 || op === XOp.UXTB16) {
      const s = op === XOp.SXTB16;
      let lo = lane(b, v, 0, 8, s);
      let hi = lane(b, v, 16, 8, s);
      if (p.acc) {
        const rn = b.reg(f.rn!);
        lo = b.add(lo, rn);
        hi = b.add(hi, b.lsr(rn, b.k(16)));
      }
      r = b.or(b.and(lo, b.k(0xffff)), b.shl(hi, b.k(16)));
    } else {
      const w = op === XOp.SXTH || op === XOp.UXTH ? 16 : 8;
      r = lane(b, v, 0, w, op <= XOp.SXTB16);
      if (p.acc) r = b.add(b.reg(f.rn!), r);
    }
    b.setReg(f.rd!, b.let(r));
  },
);

export const BFX = defineInsn(
  "bfx",
  { u: 2 },
  ["rd", "rn", "lsb", "width"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const up = b.shl(b.reg(f.rn!), b.sub(b.sub(b.k(32), f.lsb!), f.width!));
    const down = b.sub(b.k(32), f.width!);
    b.setReg(f.rd!, b.let(p.u ? b.lsr(up, down) : b.asr(up, down)));
  },
);

export const BFI = defineInsn(
  "bfi",
  { clr: 2 },
  ["rd", "rn", "lsb", "msb"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const mask = b.let(b.and(b.sub(b.shl(b.k(2), f.msb!), b.k(1)), b.shl(b.k(-1), f.lsb!)));
    const keep = b.and(b.reg(f.rd!), b.not(mask));
    const r = p.clr ? keep : b.or(keep, b.and(b.shl(b.reg(f.rn!), f.lsb!), mask));
    b.setReg(f.rd!, b.let(r));
  },
);

function bswap<V>(b: Builder<V>, x: V): V {
  x = b.let(x);
  const t = b.let(b.or(b.and(b.lsr(x, b.k(8)), b.k(0x00ff00ff)), b.and(b.shl(x, b.k(8)), b.k(0xff00ff00))));
  return b.ror(t, b.k(16));
}

export const REV = defineInsn("rev", { op: 4 }, ["rd", "rm"], <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
  const x = b.reg(f.rm!);
  let r: V;
  switch (p.op) {
    case RevOp.REV:
      r = bswap(b, x);
      break;
    case RevOp.REV16:
      r = b.or(b.and(b.lsr(x, b.k(8)), b.k(0x00ff00ff)), b.and(b.shl(x, b.k(8)), b.k(0xff00ff00)));
      break;
    case RevOp.REVSH:
      r = b.or(b.asr(b.shl(x, b.k(24)), b.k(16)), b.and(b.lsr(x, b.k(8)), b.k(0xff)));
      break;
    default: {
      // RBIT: swap bits, pairs, nibbles, then bytes
      let t = b.let(b.or(b.and(b.lsr(x, b.k(1)), b.k(0x55555555)), b.shl(b.and(x, b.k(0x55555555)), b.k(1))));
      t = b.let(b.or(b.and(b.lsr(t, b.k(2)), b.k(0x33333333)), b.shl(b.and(t, b.k(0x33333333)), b.k(2))));
      t = b.let(b.or(b.and(b.lsr(t, b.k(4)), b.k(0x0f0f0f0f)), b.shl(b.and(t, b.k(0x0f0f0f0f)), b.k(4))));
      r = bswap(b, t);
    }
  }
  b.setReg(f.rd!, b.let(r));
});

export const CLZ = defineInsn("clz", {}, ["rd", "rm"], <V>(b: Builder<V>, _p: Params, f: Fields<V>) => {
  b.setReg(f.rd!, b.let(b.clz(b.reg(f.rm!))));
});

// A32 encodings ---------------------------------------------------------------------

const anyPC = (...r: number[]) => r.some((x) => x === 15);

// MOVW / MOVT
enc("A32", "cccc 0011 0t00 iiii dddd jjjj jjjj jjjj", (x): DecodeResult => {
  if (x.d === 15) return "unpred";
  return { def: MOVW, p: { top: x.t! }, f: { rd: x.d!, imm: (x.i! << 12) | x.j! } };
});

// CLZ
enc("A32", "cccc 0001 0110 1111 dddd 1111 0001 mmmm", (x): DecodeResult => {
  if (anyPC(x.d!, x.m!)) return "unpred";
  return { def: CLZ, f: { rd: x.d!, rm: x.m! } };
});

// QADD / QSUB / QDADD / QDSUB: cccc 0001 0oo0 nnnn dddd 0000 0101 mmmm
enc("A32", "cccc 0001 0oo0 nnnn dddd zzzz 0101 mmmm", (x): DecodeResult => {
  if (anyPC(x.d!, x.n!, x.m!) || x.z !== 0) return "unpred";
  return { def: QARITH, p: { op: x.o! }, f: { rd: x.d!, rn: x.n!, rm: x.m! } };
});

// Parallel add/subtract: cccc 0110 0ppp nnnn dddd 1111 ooo1 mmmm
const PFX_OF = [-1, Pfx.S, Pfx.Q, Pfx.SH, -1, Pfx.U, Pfx.UQ, Pfx.UH];
const POP_OF = [POp.ADD16, POp.ASX, POp.SAX, POp.SUB16, POp.ADD8, -1, -1, POp.SUB8];
enc("A32", "cccc 0110 0ppp nnnn dddd zzzz ooo1 mmmm", (x): DecodeResult => {
  const pfx = PFX_OF[x.p!]!;
  const op = POP_OF[x.o!]!;
  if (pfx < 0 || op < 0) return "undef";
  if (anyPC(x.d!, x.n!, x.m!) || x.z !== 15) return "unpred";
  return { def: PARALLEL, p: { pfx, op }, f: { rd: x.d!, rn: x.n!, rm: x.m! } };
});

// PKHBT / PKHTB: cccc 0110 1000 nnnn dddd iiii it01 mmmm
enc("A32", "cccc 0110 1000 nnnn dddd iiii it01 mmmm", (x): DecodeResult => {
  if (anyPC(x.d!, x.n!, x.m!)) return "unpred";
  const amt = x.t && x.i === 0 ? 31 : x.i!;
  return { def: PKH, p: { tb: x.t! }, f: { rd: x.d!, rn: x.n!, rm: x.m!, amt } };
});

// SEL: cccc 0110 1000 nnnn dddd 1111 1011 mmmm
enc("A32", "cccc 0110 1000 nnnn dddd zzzz 1011 mmmm", (x): DecodeResult => {
  if (anyPC(x.d!, x.n!, x.m!) || x.z !== 15) return "unpred";
  return { def: SEL, f: { rd: x.d!, rn: x.n!, rm: x.m! } };
});

// SSAT / USAT: cccc 0110 1u1s ssss dddd iiii ih01 nnnn
enc("A32", "cccc 0110 1u1s ssss dddd iiii ih01 nnnn", (x): DecodeResult => {
  if (anyPC(x.d!, x.n!)) return "unpred";
  const asr = x.h!;
  const amt = asr && x.i === 0 ? 31 : x.i!;
  const sat = x.u ? x.s! : x.s! + 1;
  return { def: SAT, p: { u: x.u!, asr }, f: { rd: x.d!, rn: x.n!, amt, sat } };
});

// SSAT16 / USAT16: cccc 0110 1u10 ssss dddd 1111 0011 nnnn
enc("A32", "cccc 0110 1u10 ssss dddd zzzz 0011 nnnn", (x): DecodeResult => {
  if (anyPC(x.d!, x.n!) || x.z !== 15) return "unpred";
  const sat = x.u ? x.s! : x.s! + 1;
  return { def: SAT16, p: { u: x.u! }, f: { rd: x.d!, rn: x.n!, sat } };
});

// REV / REV16 / RBIT / REVSH: cccc 0110 1o11 1111 dddd 1111 q011 mmmm
enc("A32", "cccc 0110 1o11 yyyy dddd zzzz q011 mmmm", (x): DecodeResult => {
  if (anyPC(x.d!, x.m!) || x.y !== 15 || x.z !== 15) return "unpred";
  const op = x.o ? (x.q ? RevOp.REVSH : RevOp.RBIT) : x.q ? RevOp.REV16 : RevOp.REV;
  return { def: REV, p: { op }, f: { rd: x.d!, rm: x.m! } };
});

// Extend (and accumulate): cccc 0110 1ooo nnnn dddd rr00 0111 mmmm
const XOP_OF = [XOp.SXTB16, -1, XOp.SXTB, XOp.SXTH, XOp.UXTB16, -1, XOp.UXTB, XOp.UXTH];
enc("A32", "cccc 0110 1ooo nnnn dddd rrzz 0111 mmmm", (x): DecodeResult => {
  const op = XOP_OF[x.o!]!;
  if (op < 0) return null;
  if (anyPC(x.d!, x.m!) || x.z !== 0) return "unpred";
  const acc = x.n === 15 ? 0 : 1;
  return { def: EXTEND, p: { op, acc }, f: { rd: x.d!, rn: acc ? x.n! : 0, rm: x.m!, rot: x.r! * 8 } };
});

// USAD8 / USADA8: cccc 0111 1000 dddd aaaa mmmm 0001 nnnn
enc("A32", "cccc 0111 1000 dddd aaaa mmmm 0001 nnnn", (x): DecodeResult => {
  if (anyPC(x.d!, x.n!, x.m!)) return "unpred";
  const acc = x.a === 15 ? 0 : 1;
  return { def: USAD8, p: { acc }, f: { rd: x.d!, rn: x.n!, rm: x.m!, ra: acc ? x.a! : 0 } };
});

// SBFX / UBFX: cccc 0111 1u1w wwww dddd llll l101 nnnn
enc("A32", "cccc 0111 1u1w wwww dddd llll l101 nnnn", (x): DecodeResult => {
  const width = x.w! + 1;
  if (anyPC(x.d!, x.n!) || x.l! + width > 32) return "unpred";
  return { def: BFX, p: { u: x.u! }, f: { rd: x.d!, rn: x.n!, lsb: x.l!, width } };
});

// BFC / BFI: cccc 0111 110m mmmm dddd llll l001 nnnn
enc("A32", "cccc 0111 110m mmmm dddd llll l001 nnnn", (x): DecodeResult => {
  if (x.d === 15 || x.m! < x.l!) return "unpred";
  const clr = x.n === 15 ? 1 : 0;
  return { def: BFI, p: { clr }, f: { rd: x.d!, rn: clr ? 0 : x.n!, lsb: x.l!, msb: x.m! } };
});
