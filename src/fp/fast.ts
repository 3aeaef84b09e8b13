// Fast paths on host doubles for the common case: round-to-nearest, normal operands and
// a normal, finite result. Each function either computes the correctly rounded result
// and whether it is inexact (in `fr` / `fx`) and returns true, or returns false when the
// case needs the exact soft-float path (zeros, denormals, infinities, NaNs, possible
// underflow or overflow, or an exactness question it cannot settle cheaply).
//
// Exactness: sums by TwoSum; products, quotients and square roots by counting the
// significant bits of the odd parts of the significands (a product of odd integers of
// s1 and s2 bits has s1 + s2 - 1 or s1 + s2 bits). Single precision goes through doubles:
// +, -, *, /, sqrt computed in double and rounded to single are correctly rounded
// (53 >= 2 * 24 + 2).

/** Result of the last successful fast operation. */
export let fr = 0;
/** Whether that result was inexact. */
export let fx = false;

const MIN64 = 2 ** -1022;
const MIN32 = 2 ** -126;

const sc = new Float64Array(1);
const scw = new Int32Array(sc.buffer);

/** Significant bits of the odd part of the significand of a normal double. */
function sig(x: number): number {
  sc[0] = x;
  const lo = scw[0]!;
  if (lo !== 0) return 53 - (31 - Math.clz32(lo & -lo));
  const hi = (scw[1]! & 0xfffff) | 0x100000;
  return 21 - (31 - Math.clz32(hi & -hi));
}

const okD = (r: number) => {
  const a = Math.abs(r);
  return a > MIN64 && a < Number.POSITIVE_INFINITY;
};
const okS = (r: number) => {
  const a = Math.abs(r);
  return a > MIN32 && a <= 3.4028234663852886e38;
};

export function add64(a: number, b: number): boolean {
  const s = a + b;
  if (!okD(s)) return false;
  const bb = s - a;
  fx = a - (s - bb) + (b - bb) !== 0;
  fr = s;
  return true;
}

export function mul64(a: number, b: number): boolean {
  const p = a * b;
  if (!okD(p)) return false;
  const n = sig(a) + sig(b);
  if (n === 54) return false;
  fx = n > 54;
  fr = p;
  return true;
}

export function div64(a: number, b: number): boolean {
  const q = a / b;
  if (!okD(q)) return false;
  const n = sig(q) + sig(b);
  if (n === 54) return false;
  fx = n > 54 || q * b !== a;
  fr = q;
  return true;
}

export function sqrt64(a: number): boolean {
  if (!(a > 0)) return false;
  const r = Math.sqrt(a);
  const n = 2 * sig(r);
  if (n === 54) return false;
  fx = n > 54 || r * r !== a;
  fr = r;
  return true;
}

export function add32(a: number, b: number): boolean {
  const s = a + b;
  const r = Math.fround(s);
  if (!okS(r)) return false;
  const bb = s - a;
  fx = a - (s - bb) + (b - bb) !== 0 || r !== s;
  fr = r;
  return true;
}

export function mul32(a: number, b: number): boolean {
  const p = a * b; // exact: 24 + 24 bits
  const r = Math.fround(p);
  if (!okS(r)) return false;
  fx = r !== p;
  fr = r;
  return true;
}

export function div32(a: number, b: number): boolean {
  const r = Math.fround(a / b);
  if (!okS(r)) return false;
  fx = r * b !== a; // r * b is exact in double
  fr = r;
  return true;
}

export function sqrt32(a: number): boolean {
  if (!(a > 0)) return false;
  const r = Math.fround(Math.sqrt(a));
  fx = r * r !== a;
  fr = r;
  return true;
}

/**
 * Single-precision fused multiply-add a * b + c: the product is exact in double, the sum
 * is made exact by TwoSum and rounded to double with round-to-odd (53 >= 24 + 2), so the
 * final rounding to single is the only one that counts.
 */
export function fma32(a: number, b: number, c: number): boolean {
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
  if (!okS(r)) return false;
  fx = err !== 0 || r !== s;
  fr = r;
  return true;
}

/** Double to single precision. */
export function cvt64to32(a: number): boolean {
  const r = Math.fround(a);
  if (!okS(r)) return false;
  fx = r !== a;
  fr = r;
  return true;
}

/**
 * Float (any finite double) to a 32-bit integer, rounding to nearest-even (rz false) or
 * towards zero; false when the result would saturate.
 */
export function toInt32(a: number, signed: boolean, rz: boolean): boolean {
  let t: number;
  if (rz) t = Math.trunc(a);
  else {
    const f = Math.floor(a);
    const d = a - f; // exact for |a| < 2^52
    t = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  }
  if (signed ? t < -2147483648 || t > 2147483647 : t < 0 || t > 4294967295) return false;
  fx = t !== a;
  fr = t === 0 ? 0 : t;
  return true;
}
