// Fast paths on host doubles for the common case: round-to-nearest, normal operands and
// a normal, finite result. Each function stores the correctly rounded result in out[0]
// and returns the flags it raises (0, or IXC when inexact), or returns SLOW (having
// stored nothing) when the case needs the exact soft-float path: zeros, denormals,
// infinities, NaNs, possible underflow or overflow, or operands outside the range where
// the exactness test holds. (The result goes through a typed array rather than a return
// value or a module variable: a double that crosses a call V8 did not inline, or that is
// stored in a variable, is boxed, an allocation per instruction.)
// Flush-to-zero and default-NaN mode do not matter here: they act only on denormals,
// NaNs and tiny results, all of which take the exact path.
//
// Exactness by error-free transformations: sums by TwoSum; products by Dekker's
// TwoProduct (Veltkamp splitting), which gives the exact error of the rounded product;
// a quotient q = a / b is exact iff q * b is exactly a, a square root r = sqrt(a) iff
// r * r is exactly a (TwoProduct again). TwoProduct is exact when the splitting cannot
// overflow (operands below SPLIT_MAX), nor the product of the high parts (the product
// below EXACT_MAX), and the error term cannot underflow (the product at least EXACT_MIN:
// its error is a multiple of ulp(x) * ulp(y) >= 2^-1074).
// Single precision goes through doubles: +, -, *, /, sqrt computed in double and rounded
// to single are correctly rounded (53 >= 2 * 24 + 2).

/** The result of the last fast operation that did not return SLOW. */
export const out = new Float64Array(1);
/** Returned when the exact path is needed. */
export const SLOW = -1;
/** Returned when the result is inexact (FPSCR.IXC). */
export const IXC = 16;

/** The smallest normal double and single, the largest finite single. */
export const MIN64 = 2 ** -1022;
export const MIN32 = 2 ** -126;
export const MAX32 = 3.4028234663852886e38;

/** Veltkamp's splitting constant for doubles: 2^27 + 1. */
export const SPLIT = 134217729;
/** Operands of TwoProduct below this magnitude: SPLIT * x cannot overflow. */
export const SPLIT_MAX = 2 ** 995;
/** Products of at least this magnitude: the error term of TwoProduct is representable. */
export const EXACT_MIN = 2 ** -968;
/**
 * Products below this magnitude: the product of the split high parts (each up to 2^-26
 * larger than its operand) cannot overflow.
 */
export const EXACT_MAX = 2 ** 1023;

/**
 * Dekker's TwoProduct: is x * y exactly p = fl(x * y)? (For |x|, |y| < SPLIT_MAX and
 * EXACT_MIN <= |p| < EXACT_MAX, where the error term x * y - p is computed exactly.)
 */
export function twoProdExact(x: number, y: number, p: number): boolean {
  let c = SPLIT * x;
  const xh = c - (c - x);
  const xl = x - xh;
  c = SPLIT * y;
  const yh = c - (c - y);
  const yl = y - yh;
  return xh * yh - p + xh * yl + xl * yh + xl * yl === 0;
}

const okD = (r: number) => {
  const a = Math.abs(r);
  return a > MIN64 && a < Number.POSITIVE_INFINITY;
};
const okS = (r: number) => {
  const a = Math.abs(r);
  return a > MIN32 && a <= MAX32;
};

export function add64(a: number, b: number): number {
  const s = a + b;
  if (!okD(s)) return SLOW;
  const bb = s - a;
  out[0] = s;
  return a - (s - bb) + (b - bb) !== 0 ? IXC : 0;
}

export function mul64(a: number, b: number): number {
  const p = a * b;
  const ap = Math.abs(p);
  if (!(ap >= EXACT_MIN && ap < EXACT_MAX && Math.abs(a) < SPLIT_MAX && Math.abs(b) < SPLIT_MAX)) return SLOW;
  out[0] = p;
  return twoProdExact(a, b, p) ? 0 : IXC;
}

export function div64(a: number, b: number): number {
  const q = a / b;
  const aq = Math.abs(q);
  // q * b is within a rounding of a: EXACT_MIN <= |a| < EXACT_MAX is (just) enough
  const aa = Math.abs(a);
  if (!(aq > MIN64 && aq < SPLIT_MAX && aa >= EXACT_MIN && aa < EXACT_MAX && Math.abs(b) < SPLIT_MAX))
    return SLOW;
  const p = q * b;
  out[0] = q;
  return p !== a || !twoProdExact(q, b, p) ? IXC : 0;
}

export function sqrt64(a: number): number {
  if (!(a >= EXACT_MIN && a < EXACT_MAX)) return SLOW;
  const r = Math.sqrt(a);
  const p = r * r;
  out[0] = r;
  return p !== a || !twoProdExact(r, r, p) ? IXC : 0;
}

export function add32(a: number, b: number): number {
  const s = a + b;
  const r = Math.fround(s);
  if (!okS(r)) return SLOW;
  const bb = s - a;
  out[0] = r;
  return a - (s - bb) + (b - bb) !== 0 || r !== s ? IXC : 0;
}

export function mul32(a: number, b: number): number {
  const p = a * b; // exact: 24 + 24 bits
  const r = Math.fround(p);
  if (!okS(r)) return SLOW;
  out[0] = r;
  return r !== p ? IXC : 0;
}

export function div32(a: number, b: number): number {
  const r = Math.fround(a / b);
  if (!okS(r)) return SLOW;
  out[0] = r;
  return r * b !== a ? IXC : 0; // r * b is exact in double
}

export function sqrt32(a: number): number {
  if (!(a > 0)) return SLOW;
  const r = Math.fround(Math.sqrt(a));
  out[0] = r;
  return r * r !== a ? IXC : 0;
}

const sc = new Float64Array(1);
const scw = new Int32Array(sc.buffer);

/**
 * Single-precision fused multiply-add a * b + c: the product is exact in double, the sum
 * is made exact by TwoSum and rounded to double with round-to-odd (53 >= 24 + 2), so the
 * final rounding to single is the only one that counts.
 */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  let s = p + c;
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err !== 0) {
    sc[0] = s;
    if ((scw[0]! & 1) === 0) {
      // round to odd: step the magnitude towards the exact value
      if (err > 0 === s > 0) scw[0] = scw[0]! + 1;
      else {
        if (scw[0] === 0) scw[1] = scw[1]! - 1;
        scw[0] = scw[0]! - 1;
      }
      s = sc[0]!;
    }
  }
  const r = Math.fround(s);
  if (!okS(r)) return SLOW;
  out[0] = r;
  return err !== 0 || r !== s ? IXC : 0;
}

/** Double to single precision. */
export function cvt64to32(a: number): number {
  const r = Math.fround(a);
  if (!okS(r)) return SLOW;
  out[0] = r;
  return r !== a ? IXC : 0;
}

/**
 * Float (any finite double) to a 32-bit integer, rounding to nearest-even (rz false) or
 * towards zero (the integer in out[0]); SLOW when the result would saturate.
 */
export function toInt32(a: number, signed: boolean, rz: boolean): number {
  let t: number;
  if (rz) t = Math.trunc(a);
  else {
    const f = Math.floor(a);
    const d = a - f; // exact for |a| < 2^52
    t = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  }
  if (signed ? t < -2147483648 || t > 2147483647 : t < 0 || t > 4294967295) return SLOW;
  out[0] = t === 0 ? 0 : t;
  return t !== a ? IXC : 0;
}
