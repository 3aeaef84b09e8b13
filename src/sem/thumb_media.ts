// Thumb multiplies, divides and media instructions (T16 MUL/extend/reverse, T32
// multiply and long multiply/divide, parallel add/sub, extend, misc, saturate,
// bit-field, PKH), mapped onto the definitions of mul.ts and media.ts.

import type { DecodeCtx, DecodeResult, Letters } from "../decode/pattern.js";
import { enc } from "../decode/pattern.js";
import {
  BFI,
  BFX,
  CLZ,
  EXTEND,
  PARALLEL,
  Pfx,
  PKH,
  POp,
  QARITH,
  QOp,
  REV,
  RevOp,
  SAT,
  SAT16,
  SEL,
  USAD8,
  XOp,
} from "./media.js";
import {
  DIV,
  DUAL,
  DUALL,
  MUL16,
  MUL32,
  MULL,
  Mul16Op,
  MullOp,
  MulOp,
  SMLALXY,
  SMMUL,
  SmmOp,
} from "./mul.js";

import { badReg } from "./thumb16.js";

type Dec = (x: Letters, raw: number, ctx: DecodeCtx) => DecodeResult;
const t16 = (pattern: string, d: Dec) => enc("T16", pattern, d);
const t32 = (pattern: string, d: Dec) => enc("T32", pattern, d);

/** BadReg: SP or PC, UNPREDICTABLE as an operand of most T32 media instructions. */
const bad = (...r: number[]) => r.some((v) => badReg(v));

// T16 -----------------------------------------------------------------------------------

// MULS rdm, rn, rdm
t16(
  "010000 1101 nnn ddd",
  (x, _r, ctx): DecodeResult => ({
    def: MUL32,
    p: { op: MulOp.MUL, s: ctx.inIT ? 0 : 1 },
    f: { rd: x.d!, rn: x.n!, rm: x.d!, ra: 0 },
  }),
);
// SXTH SXTB UXTH UXTB
t16(
  "1011 0010 oo mmm ddd",
  (x): DecodeResult => ({
    def: EXTEND,
    p: { op: [XOp.SXTH, XOp.SXTB, XOp.UXTH, XOp.UXTB][x.o!]!, acc: 0 },
    f: { rd: x.d!, rn: 0, rm: x.m!, rot: 0 },
  }),
);
// REV REV16 (HLT) REVSH
t16("1011 1010 oo mmm ddd", (x): DecodeResult => {
  if (x.o === 2) return "undef";
  return { def: REV, p: { op: [RevOp.REV, RevOp.REV16, 0, RevOp.REVSH][x.o!]! }, f: { rd: x.d!, rm: x.m! } };
});

// T32 multiply, multiply-accumulate, absolute difference ---------------------------------

t32("11111 0110 ooo nnnn aaaa dddd 00 pp mmmm", (x): DecodeResult => {
  const { n, a, d, m } = x as Required<Letters>;
  const o = x.o!;
  const p = x.p!;
  const acc = a !== 15;
  if (bad(d, n, m) || a === 13) return "unpred";
  const f4 = { rd: d, rn: n, rm: m, ra: acc ? a : 0 };
  switch (o) {
    case 0:
      if (p === 0) return { def: MUL32, p: { op: acc ? MulOp.MLA : MulOp.MUL, s: 0 }, f: f4 };
      if (p === 1) return acc ? { def: MUL32, p: { op: MulOp.MLS, s: 0 }, f: f4 } : "unpred";
      return "undef";
    case 1:
      return { def: MUL16, p: { op: acc ? Mul16Op.SMLA : Mul16Op.SMUL, n: p >> 1, m: p & 1 }, f: f4 };
    case 2:
    case 4:
      if (p >> 1) return "undef";
      return { def: DUAL, p: { sub: o === 4 ? 1 : 0, x: p & 1, acc: acc ? 1 : 0 }, f: f4 };
    case 3:
      if (p >> 1) return "undef";
      return { def: MUL16, p: { op: acc ? Mul16Op.SMLAW : Mul16Op.SMULW, n: 0, m: p & 1 }, f: f4 };
    case 5:
      if (p >> 1) return "undef";
      return { def: SMMUL, p: { op: acc ? SmmOp.SMMLA : SmmOp.SMMUL, r: p & 1 }, f: f4 };
    case 6:
      if (p >> 1) return "undef";
      if (!acc) return "unpred";
      return { def: SMMUL, p: { op: SmmOp.SMMLS, r: p & 1 }, f: f4 };
    default:
      if (p !== 0) return "undef";
      return { def: USAD8, p: { acc: acc ? 1 : 0 }, f: f4 };
  }
});

// T32 long multiply, long multiply-accumulate, divide
t32("11111 0111 ooo nnnn llll hhhh pppp mmmm", (x): DecodeResult => {
  const { n, l, h, m } = x as Required<Letters>;
  const o = x.o!;
  const p = x.p!;
  if (o === 1 || o === 3) {
    if (p !== 15 || l !== 15) return "undef";
    if (bad(h, n, m)) return "unpred";
    return { def: DIV, p: { u: o === 3 ? 1 : 0 }, f: { rd: h, rn: n, rm: m } };
  }
  if (bad(l, h, n, m) || l === h) return "unpred";
  const f4 = { rdlo: l, rdhi: h, rn: n, rm: m };
  if (p === 0) {
    const op = [MullOp.SMULL, -1, MullOp.UMULL, -1, MullOp.SMLAL, -1, MullOp.UMLAL, -1][o]!;
    if (op < 0) return "undef";
    return { def: MULL, p: { op, s: 0 }, f: f4 };
  }
  if (o === 4 && p >> 2 === 2) return { def: SMLALXY, p: { n: (p >> 1) & 1, m: p & 1 }, f: f4 };
  if ((o === 4 || o === 5) && p >> 1 === 6) return { def: DUALL, p: { sub: o - 4, x: p & 1 }, f: f4 };
  if (o === 6 && p === 6) return { def: MULL, p: { op: MullOp.UMAAL, s: 0 }, f: f4 };
  return "undef";
});

// T32 data processing (register): extend, parallel add/sub, misc -------------------------

// SXTAH SXTH UXTAH UXTH SXTAB16 SXTB16 UXTAB16 UXTB16 SXTAB SXTB UXTAB UXTB
const EXT_OPS = [XOp.SXTH, XOp.UXTH, XOp.SXTB16, XOp.UXTB16, XOp.SXTB, XOp.UXTB];
t32("11111010 0 ooo nnnn 1111 dddd 10 rr mmmm", (x): DecodeResult => {
  if (x.o! > 5) return "undef";
  if (bad(x.d!, x.m!) || x.n === 13) return "unpred";
  const acc = x.n !== 15;
  return {
    def: EXTEND,
    p: { op: EXT_OPS[x.o!]!, acc: acc ? 1 : 0 },
    f: { rd: x.d!, rn: acc ? x.n! : 0, rm: x.m!, rot: x.r! * 8 },
  };
});

// Parallel add/subtract: hw1 op1 = 8 | op, hw2 bits 6:4 = U:H:Q style prefix
const POPS = [POp.ADD8, POp.ADD16, POp.ASX, -1, POp.SUB8, POp.SUB16, POp.SAX, -1];
t32("11111010 1 ooo nnnn 1111 dddd 0 u pp mmmm", (x): DecodeResult => {
  const op = POPS[x.o!]!;
  if (op < 0 || x.p === 3) return "undef";
  if (bad(x.d!, x.n!, x.m!)) return "unpred";
  const pfx = x.u ? [Pfx.U, Pfx.UQ, Pfx.UH][x.p!]! : [Pfx.S, Pfx.Q, Pfx.SH][x.p!]!;
  return { def: PARALLEL, p: { pfx, op }, f: { rd: x.d!, rn: x.n!, rm: x.m! } };
});

// Miscellaneous: QADD QDADD QSUB QDSUB, REV REV16 RBIT REVSH, SEL, CLZ
t32("11111010 10 oo nnnn 1111 dddd 10 pp mmmm", (x): DecodeResult => {
  const { n, d, m } = x as Required<Letters>;
  if (bad(d, n, m)) return "unpred";
  switch (x.o) {
    case 0:
      return {
        def: QARITH,
        p: { op: [QOp.QADD, QOp.QDADD, QOp.QSUB, QOp.QDSUB][x.p!]! },
        f: { rd: d, rn: n, rm: m },
      };
    case 1:
      if (n !== m) return "unpred";
      return {
        def: REV,
        p: { op: [RevOp.REV, RevOp.REV16, RevOp.RBIT, RevOp.REVSH][x.p!]! },
        f: { rd: d, rm: m },
      };
    case 2:
      if (x.p !== 0) return "undef";
      return { def: SEL, f: { rd: d, rn: n, rm: m } };
    default:
      if (x.p !== 0) return "undef";
      if (n !== m) return "unpred";
      return { def: CLZ, f: { rd: d, rm: m } };
  }
});

// T32 plain binary immediate: SSAT SSAT16 USAT USAT16 SBFX BFI BFC UBFX ------------------

t32("11110 0 11 oo h 0 nnnn 0 iii dddd jj 0 kkkkk", (x): DecodeResult => {
  const { n, d, k } = x as Required<Letters>;
  const imm5 = (x.i! << 2) | x.j!;
  if (bad(d) || n === 13) return "unpred";
  switch (x.o) {
    case 0:
    case 2: {
      // SSAT / USAT (h = sh), SSAT16 / USAT16 when sh = 1 and the amount is 0
      if (n === 15) return "unpred";
      const u = x.o === 2 ? 1 : 0;
      if (x.h && imm5 === 0) {
        if (k & 0x10) return "undef";
        return { def: SAT16, p: { u }, f: { rd: d, rn: n, sat: u ? k : k + 1 } };
      }
      return {
        def: SAT,
        p: { u, asr: x.h! },
        f: { rd: d, rn: n, amt: imm5, sat: u ? k : k + 1 },
      };
    }
    case 1:
      if (x.h) {
        // BFI / BFC (rn = 15)
        if (k < imm5) return "unpred";
        if (n === 15) return { def: BFI, p: { clr: 1 }, f: { rd: d, rn: 0, lsb: imm5, msb: k } };
        return { def: BFI, p: { clr: 0 }, f: { rd: d, rn: n, lsb: imm5, msb: k } };
      }
      if (n === 15) return "unpred";
      if (imm5 + k + 1 > 32) return "unpred";
      return { def: BFX, p: { u: 0 }, f: { rd: d, rn: n, lsb: imm5, width: k + 1 } };
    default:
      if (x.h) return "undef";
      if (n === 15) return "unpred";
      if (imm5 + k + 1 > 32) return "unpred";
      return { def: BFX, p: { u: 1 }, f: { rd: d, rn: n, lsb: imm5, width: k + 1 } };
  }
});

// PKHBT / PKHTB (the data-processing shifted-register space, op 0110 S 0)
t32("11101 01 0110 0 nnnn 0 iii dddd jj t 0 mmmm", (x): DecodeResult => {
  const { n, d, m } = x as Required<Letters>;
  if (bad(d, n, m)) return "unpred";
  const imm5 = (x.i! << 2) | x.j!;
  return { def: PKH, p: { tb: x.t! }, f: { rd: d, rn: n, rm: m, amt: x.t && imm5 === 0 ? 31 : imm5 } };
});
