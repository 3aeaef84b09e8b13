// Multiplies and divides.
//
// ISA-neutral definitions (Thumb decoders map T32 encodings onto these; fields are
// register numbers unless noted):
//
//   MUL32  "mul"      params { op: MulOp (MUL, MLA, MLS), s: 0/1 }    fields [rd, rn, rm, ra]
//            MUL: rd = rn*rm; MLA: rd = rn*rm + ra; MLS: rd = ra - rn*rm (no S form);
//            s: set N, Z (C, V unchanged). ra unused by MUL (pass 0).
//   MULL   "mull"     params { op: MullOp (UMULL, UMLAL, SMULL, SMLAL, UMAAL), s: 0/1 }
//                     fields [rdlo, rdhi, rn, rm]
//            UMAAL: rdhi:rdlo = rn*rm + rdhi + rdlo (no S form). s: N = bit 63, Z = all 64.
//   MUL16  "smulxy"   params { op: Mul16Op (SMUL, SMLA, SMULW, SMLAW), n: 0/1, m: 0/1 }
//                     fields [rd, rn, rm, ra]
//            n / m: 1 = top halfword of rn / rm (SMUL<x><y>, SMLA<x><y>); SMULW/SMLAW use
//            only m (the halfword of rm; pass n = 0). SMLA/SMLAW set Q on overflow.
//   SMLALXY "smlalxy" params { n: 0/1, m: 0/1 }                     fields [rdlo, rdhi, rn, rm]
//   DUAL   "smlad"    params { sub: 0/1, x: 0/1, acc: 0/1 }          fields [rd, rn, rm, ra]
//            sub 0: SMUAD (acc 0) / SMLAD (acc 1); sub 1: SMUSD / SMLSD; x: swap rm halves.
//            SMUAD/SMLAD/SMLSD set Q on overflow. ra unused when acc = 0 (pass 0).
//   DUALL  "smlald"   params { sub: 0/1, x: 0/1 }                    fields [rdlo, rdhi, rn, rm]
//            SMLALD (sub 0) / SMLSLD (sub 1).
//   SMMUL  "smmla"    params { op: SmmOp (SMMUL, SMMLA, SMMLS), r: 0/1 } fields [rd, rn, rm, ra]
//            r: round (add 0x80000000 before taking the high word). ra unused by SMMUL.
//   DIV    "div"      params { u: 0/1 }                             fields [rd, rn, rm]
//            SDIV (u 0) / UDIV (u 1): rd = rn / rm; x/0 = 0 (A profile: no divide-by-zero trap),
//            INT_MIN / -1 = INT_MIN.

import { S } from "../cpu/state.js";
import { type DecodeResult, enc } from "../decode/pattern.js";
import type { Builder, Fields, Params } from "./builder.js";
import { setNZ } from "./common.js";
import { defineInsn } from "./defs.js";
import {
  add64,
  addOv,
  half16s,
  hi16s,
  lo16s,
  mul64,
  ovf64,
  type Pair,
  setQ,
  sext64,
  sub64,
} from "./media_common.js";

export const MulOp = { MUL: 0, MLA: 1, MLS: 2 } as const;
export const MullOp = { UMULL: 0, UMLAL: 1, SMULL: 2, SMLAL: 3, UMAAL: 4 } as const;
export const Mul16Op = { SMUL: 0, SMLA: 1, SMULW: 2, SMLAW: 3 } as const;
export const SmmOp = { SMMUL: 0, SMMLA: 1, SMMLS: 2 } as const;

export const MUL32 = defineInsn(
  "mul",
  { op: 3, s: 2 },
  ["rd", "rn", "rm", "ra"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const prod = b.mul(b.reg(f.rn!), b.reg(f.rm!));
    let r: V;
    if (p.op === MulOp.MLA) r = b.add(prod, b.reg(f.ra!));
    else if (p.op === MulOp.MLS) r = b.sub(b.reg(f.ra!), prod);
    else r = prod;
    r = b.let(r);
    if (p.s) setNZ(b, r);
    b.setReg(f.rd!, r);
  },
);

function setNZ64<V>(b: Builder<V>, x: Pair<V>): void {
  b.setState(S.NF, x.hi);
  b.setState(S.ZF, b.or(x.lo, x.hi));
}

export const MULL = defineInsn(
  "mull",
  { op: 5, s: 2 },
  ["rdlo", "rdhi", "rn", "rm"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const signed = p.op === MullOp.SMULL || p.op === MullOp.SMLAL;
    let r = mul64(b, b.reg(f.rn!), b.reg(f.rm!), signed);
    if (p.op === MullOp.UMLAL || p.op === MullOp.SMLAL) {
      r = add64(b, r, { lo: b.reg(f.rdlo!), hi: b.reg(f.rdhi!) });
    } else if (p.op === MullOp.UMAAL) {
      const zero = b.k(0);
      const lo = b.reg(f.rdlo!);
      const hi = b.reg(f.rdhi!);
      r = add64(b, r, { lo, hi: zero });
      r = add64(b, r, { lo: hi, hi: zero });
    }
    if (p.s) setNZ64(b, r);
    b.setReg(f.rdlo!, r.lo);
    b.setReg(f.rdhi!, r.hi);
  },
);

export const MUL16 = defineInsn(
  "smulxy",
  { op: 4, n: 2, m: 2 },
  ["rd", "rn", "rm", "ra"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const rn = b.reg(f.rn!);
    const op2 = b.let(half16s(b, b.reg(f.rm!), p.m!));
    let r: V;
    if (p.op === Mul16Op.SMUL || p.op === Mul16Op.SMLA) {
      r = b.let(b.mul(half16s(b, rn, p.n!), op2));
    } else {
      // bits 47:16 of the 48-bit product
      const prod = mul64(b, rn, op2, true);
      r = b.let(b.or(b.lsr(prod.lo, b.k(16)), b.shl(prod.hi, b.k(16))));
    }
    if (p.op === Mul16Op.SMLA || p.op === Mul16Op.SMLAW) {
      const t = addOv(b, r, b.reg(f.ra!));
      setQ(b, t.ov);
      r = t.r;
    }
    b.setReg(f.rd!, r);
  },
);

export const SMLALXY = defineInsn(
  "smlalxy",
  { n: 2, m: 2 },
  ["rdlo", "rdhi", "rn", "rm"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const prod = b.mul(half16s(b, b.reg(f.rn!), p.n!), half16s(b, b.reg(f.rm!), p.m!));
    const r = add64(b, { lo: b.reg(f.rdlo!), hi: b.reg(f.rdhi!) }, sext64(b, prod));
    b.setReg(f.rdlo!, r.lo);
    b.setReg(f.rdhi!, r.hi);
  },
);

/** The two 16x16 products of the dual multiplies (rm halves swapped when x). */
function dualProducts<V>(b: Builder<V>, rn: V, rm: V, x: number): { p1: V; p2: V } {
  rn = b.let(rn);
  rm = b.let(x ? b.ror(rm, b.k(16)) : rm);
  return {
    p1: b.let(b.mul(lo16s(b, rn), lo16s(b, rm))),
    p2: b.let(b.mul(hi16s(b, rn), hi16s(b, rm))),
  };
}

export const DUAL = defineInsn(
  "smlad",
  { sub: 2, x: 2, acc: 2 },
  ["rd", "rn", "rm", "ra"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const { p1, p2 } = dualProducts(b, b.reg(f.rn!), b.reg(f.rm!), p.x!);
    if (p.sub) {
      // p1 - p2 always fits in 32 bits
      const d = b.let(b.sub(p1, p2));
      if (p.acc) {
        const t = addOv(b, d, b.reg(f.ra!));
        setQ(b, t.ov);
        b.setReg(f.rd!, t.r);
      } else {
        b.setReg(f.rd!, d);
      }
      return;
    }
    let s = add64(b, sext64(b, p1), sext64(b, p2));
    if (p.acc) s = add64(b, s, sext64(b, b.reg(f.ra!)));
    setQ(b, ovf64(b, s));
    b.setReg(f.rd!, s.lo);
  },
);

export const DUALL = defineInsn(
  "smlald",
  { sub: 2, x: 2 },
  ["rdlo", "rdhi", "rn", "rm"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const { p1, p2 } = dualProducts(b, b.reg(f.rn!), b.reg(f.rm!), p.x!);
    const d = p.sub ? sub64(b, sext64(b, p1), sext64(b, p2)) : add64(b, sext64(b, p1), sext64(b, p2));
    const r = add64(b, { lo: b.reg(f.rdlo!), hi: b.reg(f.rdhi!) }, d);
    b.setReg(f.rdlo!, r.lo);
    b.setReg(f.rdhi!, r.hi);
  },
);

export const SMMUL = defineInsn(
  "smmla",
  { op: 3, r: 2 },
  ["rd", "rn", "rm", "ra"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const prod = mul64(b, b.reg(f.rn!), b.reg(f.rm!), true);
    let v: Pair<V> = prod;
    if (p.op === SmmOp.SMMLA) v = add64(b, { lo: b.k(0), hi: b.reg(f.ra!) }, prod);
    else if (p.op === SmmOp.SMMLS) v = sub64(b, { lo: b.k(0), hi: b.reg(f.ra!) }, prod);
    let hi = v.hi;
    if (p.r) hi = b.add(hi, b.lsr(v.lo, b.k(31)));
    b.setReg(f.rd!, b.let(hi));
  },
);

export const DIV = defineInsn(
  "div",
  { u: 2 },
  ["rd", "rn", "rm"],
  <V>(b: Builder<V>, p: Params, f: Fields<V>) => {
    const n = b.reg(f.rn!);
    const m = b.reg(f.rm!);
    b.setReg(f.rd!, b.let(p.u ? b.divu(n, m) : b.divs(n, m)));
  },
);

// A32 encodings ---------------------------------------------------------------------

const anyPC = (...r: number[]) => r.some((x) => x === 15);

// Multiply and multiply-accumulate: cccc 0000 oooS dddd aaaa mmmm 1001 nnnn
enc("A32", "cccc 0000 oooS dddd aaaa mmmm 1001 nnnn", (x): DecodeResult => {
  const { o, S: s, d, a, m, n } = x as Record<string, number>;
  switch (o) {
    case 0: // MUL (Ra SBZ)
    case 1: // MLA
    case 3: // MLS
      if (o === 3 && s) return "undef";
      if (anyPC(d!, n!, m!) || (o !== 0 && a === 15)) return "unpred";
      if (o === 0 && a !== 0) return "unpred";
      return {
        def: MUL32,
        p: { op: o === 0 ? MulOp.MUL : o === 1 ? MulOp.MLA : MulOp.MLS, s: s! },
        f: { rd: d!, rn: n!, rm: m!, ra: o === 0 ? 0 : a! },
      };
    case 2: // UMAAL
      if (s) return "undef";
      if (anyPC(d!, a!, n!, m!) || d === a) return "unpred";
      return { def: MULL, p: { op: MullOp.UMAAL, s: 0 }, f: { rdlo: a!, rdhi: d!, rn: n!, rm: m! } };
    default: {
      if (anyPC(d!, a!, n!, m!) || d === a) return "unpred";
      const op = [MullOp.UMULL, MullOp.UMLAL, MullOp.SMULL, MullOp.SMLAL][o! - 4]!;
      return { def: MULL, p: { op, s: s! }, f: { rdlo: a!, rdhi: d!, rn: n!, rm: m! } };
    }
  }
});

// Halfword multiplies: cccc 0001 0oo0 dddd aaaa mmmm 1yx0 nnnn
enc("A32", "cccc 0001 0oo0 dddd aaaa mmmm 1yx0 nnnn", (x): DecodeResult => {
  const { o, d, a, m, n, x: xb, y } = x as Record<string, number>;
  if (anyPC(d!, m!, n!)) return "unpred";
  switch (o) {
    case 0: // SMLA<x><y>
      if (a === 15) return "unpred";
      return { def: MUL16, p: { op: Mul16Op.SMLA, n: xb!, m: y! }, f: { rd: d!, rn: n!, rm: m!, ra: a! } };
    case 1: // SMLAW<y> (x = 0) / SMULW<y> (x = 1, Ra SBZ)
      if (xb) {
        if (a !== 0) return "unpred";
        return { def: MUL16, p: { op: Mul16Op.SMULW, n: 0, m: y! }, f: { rd: d!, rn: n!, rm: m!, ra: 0 } };
      }
      if (a === 15) return "unpred";
      return { def: MUL16, p: { op: Mul16Op.SMLAW, n: 0, m: y! }, f: { rd: d!, rn: n!, rm: m!, ra: a! } };
    case 2: // SMLAL<x><y>
      if (a === 15 || a === d) return "unpred";
      return { def: SMLALXY, p: { n: xb!, m: y! }, f: { rdlo: a!, rdhi: d!, rn: n!, rm: m! } };
    default: // SMUL<x><y> (Ra SBZ)
      if (a !== 0) return "unpred";
      return { def: MUL16, p: { op: Mul16Op.SMUL, n: xb!, m: y! }, f: { rd: d!, rn: n!, rm: m!, ra: 0 } };
  }
});

// Signed multiplies, divide: cccc 0111 0ooo dddd aaaa mmmm ppM1 nnnn
enc("A32", "cccc 0111 0ooo dddd aaaa mmmm ppM1 nnnn", (x): DecodeResult => {
  const { o, d, a, m, n, p: op2, M } = x as Record<string, number>;
  switch (o) {
    case 0: // SMLAD/SMUAD (op2 0), SMLSD/SMUSD (op2 1)
      if (op2! > 1) return "undef";
      if (anyPC(d!, n!, m!)) return "unpred";
      return {
        def: DUAL,
        p: { sub: op2!, x: M!, acc: a === 15 ? 0 : 1 },
        f: { rd: d!, rn: n!, rm: m!, ra: a === 15 ? 0 : a! },
      };
    case 4: // SMLALD (op2 0), SMLSLD (op2 1)
      if (op2! > 1) return "undef";
      if (anyPC(d!, a!, n!, m!) || d === a) return "unpred";
      return { def: DUALL, p: { sub: op2!, x: M! }, f: { rdlo: a!, rdhi: d!, rn: n!, rm: m! } };
    case 1: // SDIV
    case 3: // UDIV
      if (op2 !== 0 || M !== 0) return "undef";
      if (anyPC(d!, n!, m!) || a !== 15) return "unpred";
      return { def: DIV, p: { u: o === 3 ? 1 : 0 }, f: { rd: d!, rn: n!, rm: m! } };
    case 5: {
      // SMMLA/SMMUL (op2 0), SMMLS (op2 3); M = round
      if (op2 !== 0 && op2 !== 3) return "undef";
      if (anyPC(d!, n!, m!)) return "unpred";
      if (op2 === 3) {
        if (a === 15) return "unpred";
        return { def: SMMUL, p: { op: SmmOp.SMMLS, r: M! }, f: { rd: d!, rn: n!, rm: m!, ra: a! } };
      }
      const acc = a !== 15;
      return {
        def: SMMUL,
        p: { op: acc ? SmmOp.SMMLA : SmmOp.SMMUL, r: M! },
        f: { rd: d!, rn: n!, rm: m!, ra: acc ? a! : 0 },
      };
    }
    default:
      return "undef";
  }
});
