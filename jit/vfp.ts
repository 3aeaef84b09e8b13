// Inline wasm for the common cases of the vfpDp helper (src/sem/helpers/vfp.ts), as the
// inline TLB is for memory accesses: the same fast paths as the helper's (src/fp/fast.ts:
// round to nearest, normal operands, a normal result; exactness by TwoSum and Dekker's
// TwoProduct), computed on f64 in wasm with the same operations in the same order, so
// the result and the Inexact flag are the helper's. Anything else, and any case the
// checks reject, calls the helper, which is the definition. The checks are branches out
// of the code before it stores anything, the bounds one op puts on one value merged.
//
// The caller (WasmBuilder.vfpDp) runs the code only when the VFP is accessible without a
// trap (the helper vfpOpen) and FPSCR has RMode = 0 and no LEN/STRIDE, which it reads
// once per block and after each runtime call (WasmBuilder.askVfpModes). D registers go
// through the caller's Regs (f64 locals inside a block); S registers are on the state.

import { S } from "../src/cpu/state.js";
import { EXACT_MAX, EXACT_MIN, IXC, MAX32, MIN32, MIN64, SPLIT, SPLIT_MAX } from "../src/fp/fast.js";
import { FPSCR_LEN_STRIDE, FPSCR_RMODE, Vop } from "../src/sem/vfp_ops.js";
import binaryen from "./binaryen.js";
import type { Regs } from "./fpregs.js";

type Ref = binaryen.ExpressionRef;

/** FPSCR bits that must be clear for the inline code: RMode, LEN and STRIDE. */
export const FPSCR_INLINE_MASK = FPSCR_RMODE | FPSCR_LEN_STRIDE;

/** Does vfpDp(opd, ...) have inline code? */
export function hasInlineVfp(opd: number): boolean {
  const op = opd >> 1;
  return op <= Vop.VDIV || (op >= Vop.VMOV_IMM && op <= Vop.VNEG);
}

/** The D registers on the state memory. */
export function memDRegs(m: binaryen.Module): Regs {
  return {
    get: (d) => m.f64.load(S.VFP + 8 * d, 8, m.i32.const(0)),
    set: (d, v) => m.f64.store(S.VFP + 8 * d, 8, m.i32.const(0), v),
  };
}

/** The registers (D or S indexes, as the op's) that the inline code of vfpDp(opd, d, n, mr) reads; it writes d. */
export function vfpSources(opd: number, d: number, n: number, mr: number): number[] {
  const op = opd >> 1;
  if (op >= Vop.VMOV_IMM) return op === Vop.VMOV_IMM ? [] : [mr];
  return op <= Vop.VNMLA ? [n, mr, d] : [n, mr];
}

/**
 * Statements that compute vfpDp(opd, d, n, mr) if the fast path applies, storing the
 * result and setting FPSCR.IXC when it is inexact, else branching to label `slow` with
 * nothing stored. D registers are read and written through `dr`; local `ixSet` is
 * non-zero only if FPSCR.IXC is set (the code sets it with IXC). `f64Local()` gives a
 * fresh f64 local.
 */
export function inlineVfpDp(
  m: binaryen.Module,
  opd: number,
  d: number,
  n: number,
  mr: number,
  dr: Regs,
  slow: string,
  ixSet: number,
  f64Local: () => number,
): Ref[] {
  const op = opd >> 1;
  const dp = (opd & 1) === 1;
  const zero = () => m.i32.const(0);
  const word = (w: number) => S.VFP + 4 * w;
  // the moves: no flags, and NaN payloads kept (wasm's loads, stores, locals, abs and neg
  // keep every bit)
  if (op >= Vop.VMOV_IMM) {
    if (dp) {
      const v =
        op === Vop.VMOV_IMM
          ? m.f64.reinterpret(m.i64.const(BigInt(n) << 32n))
          : op === Vop.VABS
            ? m.f64.abs(dr.get(mr))
            : op === Vop.VNEG
              ? m.f64.neg(dr.get(mr))
              : dr.get(mr);
      return [dr.set(d, v)];
    }
    const src = m.i32.load(word(mr), 4, zero());
    const v =
      op === Vop.VMOV_IMM
        ? m.i32.const(n)
        : op === Vop.VABS
          ? m.i32.and(src, m.i32.const(0x7fffffff))
          : op === Vop.VNEG
            ? m.i32.xor(src, m.i32.const(-0x80000000))
            : src;
    return [m.i32.store(word(d), 4, zero(), v)];
  }

  const F = binaryen.f64;
  const INF = Number.POSITIVE_INFINITY;
  const get = (l: number) => m.local.get(l, F);
  const set = (l: number, v: Ref) => m.local.set(l, v);
  const c64 = (x: number) => m.f64.const(x);
  const abs = (l: number) => m.f64.abs(get(l));
  const load = (reg: number) => (dp ? dr.get(reg) : m.f64.promote(m.f32.load(word(reg), 4, zero())));
  const store = (reg: number, v: Ref) =>
    dp ? dr.set(reg, v) : m.f32.store(word(reg), 4, zero(), m.f32.demote(v));
  const fround = (v: Ref) => m.f64.promote(m.f32.demote(v));
  const unless = (c: Ref) => m.br(slow, m.i32.eqz(c));

  const stmts: Ref[] = [];
  // The checks, all made before the result is stored: the range each local's magnitude
  // must lie in (the bounds one op asks of one value merged, one comparison each; a
  // comparison with NaN is false, so NaN fails the first), and operands that must be
  // zero or normal.
  const ranges = new Map<number, { lo: number; loOpen: boolean; hi: number; hiOpen: boolean }>();
  const range = (l: number, lo: number, loOpen: boolean, hi: number, hiOpen: boolean) => {
    const r = ranges.get(l);
    if (r === undefined) ranges.set(l, { lo, loOpen, hi, hiOpen });
    else {
      if (lo > r.lo || (lo === r.lo && loOpen)) Object.assign(r, { lo, loOpen });
      if (hi < r.hi || (hi === r.hi && hiOpen)) Object.assign(r, { hi, hiOpen });
    }
  };
  const zeroOrNormal: number[] = [];
  /** Normal operand (helpers/vfp.ts normD / normS). */
  const norm = (l: number) => (dp ? range(l, MIN64, false, INF, true) : range(l, MIN32, false, MAX32, false));
  const normOrZero = (l: number) => {
    range(l, 0, false, dp ? INF : MAX32, dp);
    zeroOrNormal.push(l);
  };
  /** A result in range (fast.ts okD / okS). */
  const okRes = (l: number) => (dp ? range(l, MIN64, true, INF, true) : range(l, MIN32, true, MAX32, false));
  // FPSCR.IXC is cumulative: once set, whether this result is exact changes nothing, and
  // the exactness tests (TwoSum, TwoProduct) are skipped
  const inexact: Ref[] = [];
  const pre: Ref[] = [];

  /**
   * Dekker's TwoProduct: 1 if x * y is exactly p (fast.ts twoProdExact, same operation
   * order), after the statements pushed on `pre`.
   */
  const twoProdExact = (x: number, y: number, p: number): Ref => {
    const [c, xh, xl, yh, yl] = [f64Local(), f64Local(), f64Local(), f64Local(), f64Local()];
    pre.push(
      set(c, m.f64.mul(c64(SPLIT), get(x))),
      set(xh, m.f64.sub(get(c), m.f64.sub(get(c), get(x)))),
      set(xl, m.f64.sub(get(x), get(xh))),
      set(c, m.f64.mul(c64(SPLIT), get(y))),
      set(yh, m.f64.sub(get(c), m.f64.sub(get(c), get(y)))),
      set(yl, m.f64.sub(get(y), get(yh))),
    );
    const e = m.f64.add(
      m.f64.add(
        m.f64.add(m.f64.sub(m.f64.mul(get(xh), get(yh)), get(p)), m.f64.mul(get(xh), get(yl))),
        m.f64.mul(get(xl), get(yh)),
      ),
      m.f64.mul(get(xl), get(yl)),
    );
    return m.f64.eq(e, c64(0));
  };
  /** r = a + b rounded (fast.ts add64 / add32). */
  const add = (a: number, b: number): number => {
    const s = f64Local();
    const bb = f64Local();
    stmts.push(set(s, m.f64.add(get(a), get(b))));
    pre.push(set(bb, m.f64.sub(get(s), get(a))));
    inexact.push(
      m.f64.ne(m.f64.add(m.f64.sub(get(a), m.f64.sub(get(s), get(bb))), m.f64.sub(get(b), get(bb))), c64(0)),
    );
    if (dp) {
      okRes(s);
      return s;
    }
    const r = f64Local();
    stmts.push(set(r, fround(get(s))));
    okRes(r);
    inexact.push(m.f64.ne(get(r), get(s)));
    return r;
  };
  /** r = a * b rounded (fast.ts mul64 / mul32). */
  const mul = (a: number, b: number): number => {
    const p = f64Local();
    stmts.push(set(p, m.f64.mul(get(a), get(b))));
    if (dp) {
      range(p, EXACT_MIN, false, EXACT_MAX, true);
      range(a, 0, false, SPLIT_MAX, true);
      range(b, 0, false, SPLIT_MAX, true);
      inexact.push(m.i32.eqz(twoProdExact(a, b, p)));
      return p;
    }
    const r = f64Local();
    stmts.push(set(r, fround(get(p))));
    okRes(r);
    inexact.push(m.f64.ne(get(r), get(p)));
    return r;
  };
  /** r = a / b rounded (fast.ts div64 / div32). */
  const div = (a: number, b: number): number => {
    const q = f64Local();
    if (dp) {
      const p = f64Local();
      stmts.push(set(q, m.f64.div(get(a), get(b))));
      range(q, MIN64, true, SPLIT_MAX, true);
      range(a, EXACT_MIN, false, EXACT_MAX, true);
      range(b, 0, false, SPLIT_MAX, true);
      pre.push(set(p, m.f64.mul(get(q), get(b))));
      inexact.push(m.f64.ne(get(p), get(a)), m.i32.eqz(twoProdExact(q, b, p)));
      return q;
    }
    stmts.push(set(q, fround(m.f64.div(get(a), get(b)))));
    okRes(q);
    inexact.push(m.f64.ne(m.f64.mul(get(q), get(b)), get(a)));
    return q;
  };
  const neg = (l: number): number => {
    const t = f64Local();
    stmts.push(set(t, m.f64.neg(get(l))));
    return t;
  };

  const a = f64Local();
  const b = f64Local();
  stmts.push(set(a, load(n)), set(b, load(mr)));
  let r: number;
  switch (op) {
    case Vop.VADD:
    case Vop.VSUB:
      normOrZero(a);
      normOrZero(b);
      r = add(a, op === Vop.VSUB ? neg(b) : b);
      break;
    case Vop.VMUL:
    case Vop.VNMUL:
      norm(a);
      norm(b);
      r = mul(a, b);
      if (op === Vop.VNMUL) r = neg(r);
      break;
    case Vop.VDIV:
      norm(a);
      norm(b);
      r = div(a, b);
      break;
    default: {
      // VMLA, VMLS, VNMLS, VNMLA: Vd = (-)Vd + (-)(Vn * Vm), two roundings
      const c = f64Local();
      stmts.push(set(c, load(d)));
      norm(a);
      norm(b);
      normOrZero(c);
      const p = mul(a, b);
      r = add(
        op === Vop.VNMLS || op === Vop.VNMLA ? neg(c) : c,
        op === Vop.VMLS || op === Vop.VNMLA ? neg(p) : p,
      );
    }
  }
  for (const [l, g] of ranges) {
    if (g.lo > 0) stmts.push(unless(g.loOpen ? m.f64.gt(abs(l), c64(g.lo)) : m.f64.ge(abs(l), c64(g.lo))));
    stmts.push(unless(g.hiOpen ? m.f64.lt(abs(l), c64(g.hi)) : m.f64.le(abs(l), c64(g.hi))));
  }
  // (below the smallest normal: only zero)
  const min = dp ? MIN64 : MIN32;
  for (const l of zeroOrNormal)
    stmts.push(m.if(m.f64.lt(abs(l), c64(min)), m.br(slow, m.f64.ne(get(l), c64(0)))));
  const setIxc = [
    m.i32.store(S.FPSCR, 4, zero(), m.i32.or(m.i32.load(S.FPSCR, 4, zero()), m.i32.const(IXC))),
    m.local.set(ixSet, m.i32.const(IXC)),
  ];
  stmts.push(
    store(d, get(r)),
    m.if(
      m.i32.eqz(m.local.get(ixSet, binaryen.i32)),
      m.block(null, [
        ...pre,
        m.if(
          inexact.reduce((x, y) => m.i32.or(x, y)),
          m.block(null, setIxc),
        ),
      ]),
    ),
  );
  return stmts;
}
