// Inline wasm for the common cases of the vfpDp helper (src/sem/helpers/vfp.ts), as the
// inline TLB is for memory accesses: the same fast paths as the helper's (src/fp/fast.ts:
// round to nearest, normal operands, a normal result; exactness by TwoSum and Dekker's
// TwoProduct), computed on f64 in wasm with the same operations in the same order, so
// the result and the Inexact flag are the helper's. Anything else, and any case the
// checks reject, calls the helper, which is the definition.
//
// The caller (WasmBuilder.callMayExit) runs the code only when the VFP is accessible
// without a trap (the helper vfpOpen, asked once per region entry and after each runtime
// call) and FPSCR has RMode = 0 and no LEN/STRIDE.

import binaryen from "binaryen";
import { S } from "../src/cpu/state.js";
import { EXACT_MAX, EXACT_MIN, IXC, MAX32, MIN32, MIN64, SLOW, SPLIT, SPLIT_MAX } from "../src/fp/fast.js";
import { FPSCR_LEN_STRIDE, FPSCR_RMODE, Vop } from "../src/sem/vfp_ops.js";

type Ref = binaryen.ExpressionRef;

/** FPSCR bits that must be clear for the inline code: RMode, LEN and STRIDE. */
export const FPSCR_INLINE_MASK = FPSCR_RMODE | FPSCR_LEN_STRIDE;

/** Does vfpDp(opd, ...) have inline code? */
export function hasInlineVfp(opd: number): boolean {
  const op = opd >> 1;
  return op <= Vop.VDIV || (op >= Vop.VMOV_IMM && op <= Vop.VNEG);
}

/**
 * Statements that compute vfpDp(opd, d, n, mr) if the fast path applies, storing the
 * result and setting local `fl` to 0 or IXC, else setting `fl` to SLOW (nothing stored).
 * `f64Local()` gives a fresh f64 local, `i32Local()` an i32 one.
 */
export function inlineVfpDp(
  m: binaryen.Module,
  opd: number,
  d: number,
  n: number,
  mr: number,
  fl: number,
  f64Local: () => number,
  i32Local: () => number,
): Ref[] {
  const op = opd >> 1;
  const dp = (opd & 1) === 1;
  const zero = () => m.i32.const(0);
  const word = (w: number) => S.VFP + 4 * w;
  // the moves: on the raw words (NaN payloads kept), no flags
  if (op >= Vop.VMOV_IMM) {
    const src = (i: number) => m.i32.load(word(dp ? 2 * mr + i : mr), 4, zero());
    const hi = (v: Ref) =>
      op === Vop.VABS
        ? m.i32.and(v, m.i32.const(0x7fffffff))
        : op === Vop.VNEG
          ? m.i32.xor(v, m.i32.const(-0x80000000))
          : v;
    const out: Ref[] = [];
    if (dp) {
      const lo = op === Vop.VMOV_IMM ? m.i32.const(0) : src(0);
      const h = op === Vop.VMOV_IMM ? m.i32.const(n) : hi(src(1));
      const t = i32Local();
      out.push(m.local.set(t, h), m.i32.store(word(2 * d), 4, zero(), lo));
      out.push(m.i32.store(word(2 * d + 1), 4, zero(), m.local.get(t, binaryen.i32)));
    } else out.push(m.i32.store(word(d), 4, zero(), op === Vop.VMOV_IMM ? m.i32.const(n) : hi(src(0))));
    out.push(m.local.set(fl, m.i32.const(0)));
    return out;
  }

  const F = binaryen.f64;
  const get = (l: number) => m.local.get(l, F);
  const set = (l: number, v: Ref) => m.local.set(l, v);
  const c64 = (x: number) => m.f64.const(x);
  const abs = (l: number) => m.f64.abs(get(l));
  const and = (...xs: Ref[]) => xs.reduce((a, b) => m.i32.and(a, b));
  const or = (...xs: Ref[]) => xs.reduce((a, b) => m.i32.or(a, b));
  const load = (reg: number) =>
    dp ? m.f64.load(S.VFP + 8 * reg, 8, zero()) : m.f64.promote(m.f32.load(S.VFP + 4 * reg, 4, zero()));
  const store = (reg: number, v: Ref) =>
    dp
      ? m.f64.store(S.VFP + 8 * reg, 8, zero(), v)
      : m.f32.store(S.VFP + 4 * reg, 4, zero(), m.f32.demote(v));
  const fround = (v: Ref) => m.f64.promote(m.f32.demote(v));
  /** Normal operand (helpers/vfp.ts normD / normS). */
  const norm = (l: number) =>
    dp
      ? and(m.f64.ge(abs(l), c64(MIN64)), m.f64.lt(abs(l), c64(Number.POSITIVE_INFINITY)))
      : and(m.f64.ge(abs(l), c64(MIN32)), m.f64.le(abs(l), c64(MAX32)));
  const normOrZero = (l: number) => or(m.f64.eq(get(l), c64(0)), norm(l));
  /** A result in range (fast.ts okD / okS). */
  const okRes = (l: number) =>
    dp
      ? and(m.f64.gt(abs(l), c64(MIN64)), m.f64.lt(abs(l), c64(Number.POSITIVE_INFINITY)))
      : and(m.f64.gt(abs(l), c64(MIN32)), m.f64.le(abs(l), c64(MAX32)));

  const stmts: Ref[] = [];
  const ok = i32Local(); // every check passed so far
  const ix = i32Local(); // inexact so far
  // FPSCR.IXC is cumulative: once set, whether this result is exact changes nothing, and
  // the exactness tests (TwoSum, TwoProduct) are skipped
  const ixSet = i32Local();
  const need = (c: Ref) => stmts.push(m.local.set(ok, m.i32.and(m.local.get(ok, binaryen.i32), c)));
  /** ix |= c, where computing c first takes the statements `pre`; only while IXC is clear. */
  const inexact = (c: Ref, pre: Ref[] = []) =>
    stmts.push(
      m.if(
        m.i32.eqz(m.local.get(ixSet, binaryen.i32)),
        m.block(null, [...pre, m.local.set(ix, m.i32.or(m.local.get(ix, binaryen.i32), c))]),
      ),
    );
  stmts.push(
    m.local.set(ok, m.i32.const(1)),
    m.local.set(ix, m.i32.const(0)),
    m.local.set(ixSet, m.i32.and(m.i32.load(S.FPSCR, 4, zero()), m.i32.const(IXC))),
  );

  /**
   * Dekker's TwoProduct: 1 if x * y is exactly p (fast.ts twoProdExact, same operation
   * order), after the statements pushed on `pre`.
   */
  const twoProdExact = (x: number, y: number, p: number, pre: Ref[]): Ref => {
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
    inexact(
      m.f64.ne(m.f64.add(m.f64.sub(get(a), m.f64.sub(get(s), get(bb))), m.f64.sub(get(b), get(bb))), c64(0)),
      [set(bb, m.f64.sub(get(s), get(a)))],
    );
    if (dp) {
      need(okRes(s));
      return s;
    }
    const r = f64Local();
    stmts.push(set(r, fround(get(s))));
    need(okRes(r));
    inexact(m.f64.ne(get(r), get(s)));
    return r;
  };
  /** r = a * b rounded (fast.ts mul64 / mul32). */
  const mul = (a: number, b: number): number => {
    const p = f64Local();
    stmts.push(set(p, m.f64.mul(get(a), get(b))));
    if (dp) {
      need(
        and(
          m.f64.ge(abs(p), c64(EXACT_MIN)),
          m.f64.lt(abs(p), c64(EXACT_MAX)),
          m.f64.lt(abs(a), c64(SPLIT_MAX)),
          m.f64.lt(abs(b), c64(SPLIT_MAX)),
        ),
      );
      const pre: Ref[] = [];
      inexact(m.i32.eqz(twoProdExact(a, b, p, pre)), pre);
      return p;
    }
    const r = f64Local();
    stmts.push(set(r, fround(get(p))));
    need(okRes(r));
    inexact(m.f64.ne(get(r), get(p)));
    return r;
  };
  /** r = a / b rounded (fast.ts div64 / div32). */
  const div = (a: number, b: number): number => {
    const q = f64Local();
    if (dp) {
      const p = f64Local();
      stmts.push(set(q, m.f64.div(get(a), get(b))));
      need(
        and(
          m.f64.gt(abs(q), c64(MIN64)),
          m.f64.lt(abs(q), c64(SPLIT_MAX)),
          m.f64.ge(abs(a), c64(EXACT_MIN)),
          m.f64.lt(abs(a), c64(EXACT_MAX)),
          m.f64.lt(abs(b), c64(SPLIT_MAX)),
        ),
      );
      const pre: Ref[] = [set(p, m.f64.mul(get(q), get(b)))];
      inexact(or(m.f64.ne(get(p), get(a)), m.i32.eqz(twoProdExact(q, b, p, pre))), pre);
      return q;
    }
    stmts.push(set(q, fround(m.f64.div(get(a), get(b)))));
    need(okRes(q));
    inexact(m.f64.ne(m.f64.mul(get(q), get(b)), get(a)));
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
      need(and(normOrZero(a), normOrZero(b)));
      r = add(a, op === Vop.VSUB ? neg(b) : b);
      break;
    case Vop.VMUL:
    case Vop.VNMUL:
      need(and(norm(a), norm(b)));
      r = mul(a, b);
      if (op === Vop.VNMUL) r = neg(r);
      break;
    case Vop.VDIV:
      need(and(norm(a), norm(b)));
      r = div(a, b);
      break;
    default: {
      // VMLA, VMLS, VNMLS, VNMLA: Vd = (-)Vd + (-)(Vn * Vm), two roundings
      const c = f64Local();
      stmts.push(set(c, load(d)));
      need(and(norm(a), norm(b), normOrZero(c)));
      const p = mul(a, b);
      r = add(
        op === Vop.VNMLS || op === Vop.VNMLA ? neg(c) : c,
        op === Vop.VMLS || op === Vop.VNMLA ? neg(p) : p,
      );
    }
  }
  stmts.push(
    m.if(
      m.local.get(ok, binaryen.i32),
      m.block(null, [
        store(d, get(r)),
        m.local.set(fl, m.select(m.local.get(ix, binaryen.i32), m.i32.const(IXC), m.i32.const(0))),
      ]),
      m.local.set(fl, m.i32.const(SLOW)),
    ),
  );
  return stmts;
}
