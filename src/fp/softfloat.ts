// IEEE 754 binary16/32/64 arithmetic with the ARM (VFP) conventions, bit-exact with
// QEMU's softfloat as configured for AArch32 VFP:
// - rounding modes RN/RP/RM/RZ (FPSCR.RMode order), tininess detected BEFORE rounding;
// - flush-to-zero (FPSCR.FZ): denormal inputs become signed zero and raise IDC, results
//   that are tiny before rounding become signed zero and raise UFC (not IXC);
// - default NaN mode (FPSCR.DN), NaN propagation: first signalling NaN operand, else
//   first quiet NaN operand (for fused multiply-add: addend, op1, op2), quietened;
//   (0 * inf) + qNaN gives the default NaN and raises IOC;
// - ARM alternative half precision (FPSCR.AHP): no infinities or NaNs.
//
// Values travel as raw bit patterns (bigint), never as JS numbers, so NaN payloads survive.
// The arithmetic is exact (bigint significands) followed by one rounding step; fast paths
// for the common cases live in ./fast.ts.

export const FLAG = { IOC: 1, DZC: 2, OFC: 4, UFC: 8, IXC: 16, IDC: 128 } as const;
/** FPSCR.RMode values. */
export const RMODE = { RN: 0, RP: 1, RM: 2, RZ: 3 } as const;

export interface FpStatus {
  /** FPSCR.RMode: 0 nearest-even, 1 towards +inf, 2 towards -inf, 3 towards zero. */
  rmode: number;
  /** Flush-to-zero (FPSCR.FZ). */
  fz: boolean;
  /** Default NaN (FPSCR.DN). */
  dn: boolean;
  /** Cumulative exception flags raised (FLAG bits). */
  flags: number;
}

export interface Fmt {
  ebits: number;
  fbits: number;
  bias: number;
  /** Biased exponent of infinities/NaNs (all ones). */
  emax: number;
  /** ARM alternative half precision: the all-ones exponent is an ordinary exponent. */
  ahp: boolean;
  /** Total width in bits. */
  width: number;
}

function fmt(ebits: number, fbits: number, ahp = false): Fmt {
  return {
    ebits,
    fbits,
    bias: (1 << (ebits - 1)) - 1,
    emax: (1 << ebits) - 1,
    ahp,
    width: 1 + ebits + fbits,
  };
}

export const F16 = fmt(5, 10);
export const F16AHP = fmt(5, 10, true);
export const F32 = fmt(8, 23);
export const F64 = fmt(11, 52);

export const ZERO = 0;
export const NORM = 1;
export const INF = 2;
export const QNAN = 3;
export const SNAN = 4;

/** An unpacked operand: value = (-1)^sign * mant * 2^exp (NORM); NaNs keep their raw fraction in mant. */
export interface Up {
  cls: number;
  sign: number;
  exp: number;
  mant: bigint;
}

export function bitlen(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

const isNaNc = (c: number) => c >= QNAN;

export function unpack(f: Fmt, bits: bigint, st: FpStatus, flush: boolean): Up {
  const fb = BigInt(f.fbits);
  const frac = bits & ((1n << fb) - 1n);
  const e = Number((bits >> fb) & BigInt(f.emax));
  const sign = Number((bits >> BigInt(f.ebits + f.fbits)) & 1n);
  if (e === 0) {
    if (frac === 0n) return { cls: ZERO, sign, exp: 0, mant: 0n };
    if (flush) {
      st.flags |= FLAG.IDC;
      return { cls: ZERO, sign, exp: 0, mant: 0n };
    }
    return { cls: NORM, sign, exp: 1 - f.bias - f.fbits, mant: frac };
  }
  if (e === f.emax && !f.ahp) {
    if (frac === 0n) return { cls: INF, sign, exp: 0, mant: 0n };
    return { cls: (frac >> (fb - 1n)) & 1n ? QNAN : SNAN, sign, exp: 0, mant: frac };
  }
  return { cls: NORM, sign, exp: e - f.bias - f.fbits, mant: frac | (1n << fb) };
}

export function defaultNaN(f: Fmt): bigint {
  return (BigInt(f.emax) << BigInt(f.fbits)) | (1n << BigInt(f.fbits - 1));
}

function signBit(f: Fmt, sign: number): bigint {
  return sign ? 1n << BigInt(f.ebits + f.fbits) : 0n;
}

export function packZero(f: Fmt, sign: number): bigint {
  return signBit(f, sign);
}
export function packInf(f: Fmt, sign: number): bigint {
  return signBit(f, sign) | (BigInt(f.emax) << BigInt(f.fbits));
}
function packMax(f: Fmt, sign: number): bigint {
  const e = f.ahp ? f.emax : f.emax - 1;
  return signBit(f, sign) | (BigInt(e) << BigInt(f.fbits)) | ((1n << BigInt(f.fbits)) - 1n);
}

/** A NaN operand of format `src` as a quiet NaN of format `f` (payload aligned at the top). */
function packNaN(f: Fmt, n: Up, src: Fmt): bigint {
  let frac = n.mant;
  const d = f.fbits - src.fbits;
  frac = d >= 0 ? frac << BigInt(d) : frac >> BigInt(-d);
  return signBit(f, n.sign) | (BigInt(f.emax) << BigInt(f.fbits)) | frac | (1n << BigInt(f.fbits - 1));
}

/** Result NaN for a NaN operand (raising IOC for a signalling one), honouring DN. */
function nanResult(f: Fmt, n: Up, st: FpStatus, src: Fmt = f): bigint {
  if (n.cls === SNAN) st.flags |= FLAG.IOC;
  return st.dn ? defaultNaN(f) : packNaN(f, n, src);
}

function pickNaN2(f: Fmt, a: Up, b: Up, st: FpStatus): bigint {
  const snan = a.cls === SNAN || b.cls === SNAN;
  if (snan) st.flags |= FLAG.IOC;
  if (st.dn) return defaultNaN(f);
  let r: Up;
  if (snan) r = a.cls === SNAN ? a : b;
  else r = isNaNc(a.cls) ? a : b;
  return packNaN(f, r, f);
}

function invalid(f: Fmt, st: FpStatus): bigint {
  st.flags |= FLAG.IOC;
  return defaultNaN(f);
}

/**
 * Round the exact value (-1)^sign * mant * 2^exp (mant > 0) to format f with the
 * status's rounding mode. `ftz` flushes results that are tiny before rounding.
 */
export function roundPack(
  f: Fmt,
  sign: number,
  exp: number,
  mant: bigint,
  st: FpStatus,
  ftz: boolean,
): bigint {
  const emin = 1 - f.bias;
  const nb = bitlen(mant);
  const E = exp + nb - 1;
  const tiny = E < emin;
  if (tiny && ftz) {
    st.flags |= FLAG.UFC;
    return packZero(f, sign);
  }
  let lsb = (tiny ? emin : E) - f.fbits;
  let q: bigint;
  let inexact = false;
  if (exp >= lsb) {
    q = mant << BigInt(exp - lsb);
  } else {
    const sh = BigInt(lsb - exp);
    q = mant >> sh;
    const rem = mant & ((1n << sh) - 1n);
    if (rem !== 0n) {
      inexact = true;
      const half = 1n << (sh - 1n);
      let inc = false;
      switch (st.rmode) {
        case RMODE.RN:
          inc = rem > half || (rem === half && (q & 1n) === 1n);
          break;
        case RMODE.RP:
          inc = sign === 0;
          break;
        case RMODE.RM:
          inc = sign === 1;
          break;
        default:
          inc = false;
      }
      if (inc) {
        q += 1n;
        if (q === 1n << BigInt(f.fbits + 1)) {
          q >>= 1n;
          lsb++;
        }
      }
    }
  }
  const one = 1n << BigInt(f.fbits);
  let be: number;
  let frac: bigint;
  if (q >= one) {
    be = lsb + f.fbits + f.bias;
    frac = q - one;
  } else {
    be = 0;
    frac = q;
  }
  if (f.ahp) {
    if (be > f.emax) {
      st.flags |= FLAG.IOC; // no infinity: saturate, Invalid Operation (no Inexact)
      return packMax(f, sign);
    }
  } else if (be >= f.emax) {
    st.flags |= FLAG.OFC | FLAG.IXC;
    const toInf =
      st.rmode === RMODE.RN || (st.rmode === RMODE.RP && sign === 0) || (st.rmode === RMODE.RM && sign === 1);
    return toInf ? packInf(f, sign) : packMax(f, sign);
  }
  if (inexact) {
    st.flags |= FLAG.IXC;
    if (tiny) st.flags |= FLAG.UFC;
  }
  return signBit(f, sign) | (BigInt(be) << BigInt(f.fbits)) | frac;
}

function packUp(f: Fmt, u: Up, st: FpStatus): bigint {
  // an operand that is already representable (used when a result is exactly one input)
  if (u.cls === ZERO) return packZero(f, u.sign);
  if (u.cls === INF) return packInf(f, u.sign);
  return roundPack(f, u.sign, u.exp, u.mant, st, st.fz);
}

/** Exact signed sum of two finite non-zero values: returns [sign, exp, mant] or null for exact zero. */
function exactAdd(sa: number, ea: number, ma: bigint, sb: number, eb: number, mb: bigint): Up | null {
  const e = Math.min(ea, eb);
  let va = ma << BigInt(ea - e);
  let vb = mb << BigInt(eb - e);
  if (sa) va = -va;
  if (sb) vb = -vb;
  const s = va + vb;
  if (s === 0n) return null;
  return s < 0n ? { cls: NORM, sign: 1, exp: e, mant: -s } : { cls: NORM, sign: 0, exp: e, mant: s };
}

export function add(f: Fmt, ab: bigint, bb: bigint, st: FpStatus, negB = false): bigint {
  const a = unpack(f, ab, st, st.fz);
  const b = unpack(f, bb, st, st.fz);
  if (negB) b.sign ^= 1; // subtraction: NaN operands keep their sign (chosen below from the unpacked copy)
  if (isNaNc(a.cls) || isNaNc(b.cls)) {
    if (negB) b.sign ^= 1;
    return pickNaN2(f, a, b, st);
  }
  if (a.cls === INF || b.cls === INF) {
    if (a.cls === INF && b.cls === INF && a.sign !== b.sign) return invalid(f, st);
    return packInf(f, a.cls === INF ? a.sign : b.sign);
  }
  if (a.cls === ZERO && b.cls === ZERO) {
    return packZero(f, a.sign === b.sign ? a.sign : st.rmode === RMODE.RM ? 1 : 0);
  }
  if (a.cls === ZERO) return packUp(f, b, st);
  if (b.cls === ZERO) return packUp(f, a, st);
  const s = exactAdd(a.sign, a.exp, a.mant, b.sign, b.exp, b.mant);
  if (!s) return packZero(f, st.rmode === RMODE.RM ? 1 : 0);
  return roundPack(f, s.sign, s.exp, s.mant, st, st.fz);
}

export function sub(f: Fmt, ab: bigint, bb: bigint, st: FpStatus): bigint {
  return add(f, ab, bb, st, true);
}

export function mul(f: Fmt, ab: bigint, bb: bigint, st: FpStatus): bigint {
  const a = unpack(f, ab, st, st.fz);
  const b = unpack(f, bb, st, st.fz);
  if (isNaNc(a.cls) || isNaNc(b.cls)) return pickNaN2(f, a, b, st);
  const sign = a.sign ^ b.sign;
  if ((a.cls === INF && b.cls === ZERO) || (a.cls === ZERO && b.cls === INF)) return invalid(f, st);
  if (a.cls === INF || b.cls === INF) return packInf(f, sign);
  if (a.cls === ZERO || b.cls === ZERO) return packZero(f, sign);
  return roundPack(f, sign, a.exp + b.exp, a.mant * b.mant, st, st.fz);
}

export function div(f: Fmt, ab: bigint, bb: bigint, st: FpStatus): bigint {
  const a = unpack(f, ab, st, st.fz);
  const b = unpack(f, bb, st, st.fz);
  if (isNaNc(a.cls) || isNaNc(b.cls)) return pickNaN2(f, a, b, st);
  const sign = a.sign ^ b.sign;
  if ((a.cls === INF && b.cls === INF) || (a.cls === ZERO && b.cls === ZERO)) return invalid(f, st);
  if (a.cls === INF) return packInf(f, sign);
  if (b.cls === INF) return packZero(f, sign);
  if (b.cls === ZERO) {
    st.flags |= FLAG.DZC;
    return packInf(f, sign);
  }
  if (a.cls === ZERO) return packZero(f, sign);
  const la = bitlen(a.mant);
  const lb = bitlen(b.mant);
  const k = Math.max(0, f.fbits + 4 + lb - la);
  const num = a.mant << BigInt(k);
  const q = num / b.mant;
  const r = num - q * b.mant;
  return roundPack(f, sign, a.exp - b.exp - k - 1, (q << 1n) | (r !== 0n ? 1n : 0n), st, st.fz);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton iteration from a power-of-two upper bound
  let x = 1n << BigInt((bitlen(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(f: Fmt, ab: bigint, st: FpStatus): bigint {
  const a = unpack(f, ab, st, st.fz);
  if (isNaNc(a.cls)) return nanResult(f, a, st);
  if (a.cls === ZERO) return packZero(f, a.sign);
  if (a.sign) return invalid(f, st);
  if (a.cls === INF) return packInf(f, 0);
  let m = a.mant;
  let e = a.exp;
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  // want the root to have at least fbits + 3 bits
  const need = 2 * (f.fbits + 4) - bitlen(m);
  const k = need > 0 ? (need + 1) >> 1 : 0;
  m <<= BigInt(2 * k);
  const s = isqrt(m);
  const sticky = s * s !== m ? 1n : 0n;
  return roundPack(f, 0, (e - 2 * k) / 2 - 1, (s << 1n) | sticky, st, st.fz);
}

/** Fused (a * b) + c with a single rounding (NaN priority: c, a, b). */
export function muladd(f: Fmt, ab: bigint, bb: bigint, cb: bigint, st: FpStatus): bigint {
  const a = unpack(f, ab, st, st.fz);
  const b = unpack(f, bb, st, st.fz);
  const c = unpack(f, cb, st, st.fz);
  const infzero = (a.cls === INF && b.cls === ZERO) || (a.cls === ZERO && b.cls === INF);
  if (isNaNc(a.cls) || isNaNc(b.cls) || isNaNc(c.cls)) {
    const snan = a.cls === SNAN || b.cls === SNAN || c.cls === SNAN;
    if (snan) st.flags |= FLAG.IOC;
    if (infzero && c.cls === QNAN) return invalid(f, st);
    if (st.dn) return defaultNaN(f);
    let r: Up;
    if (snan) r = c.cls === SNAN ? c : a.cls === SNAN ? a : b;
    else r = isNaNc(c.cls) ? c : isNaNc(a.cls) ? a : b;
    return packNaN(f, r, f);
  }
  if (infzero) return invalid(f, st);
  const ps = a.sign ^ b.sign;
  if (a.cls === INF || b.cls === INF) {
    if (c.cls === INF && c.sign !== ps) return invalid(f, st);
    return packInf(f, ps);
  }
  if (c.cls === INF) return packInf(f, c.sign);
  if (a.cls === ZERO || b.cls === ZERO) {
    if (c.cls === ZERO) return packZero(f, ps === c.sign ? c.sign : st.rmode === RMODE.RM ? 1 : 0);
    return packUp(f, c, st);
  }
  const pe = a.exp + b.exp;
  const pm = a.mant * b.mant;
  if (c.cls === ZERO) return roundPack(f, ps, pe, pm, st, st.fz);
  const s = exactAdd(ps, pe, pm, c.sign, c.exp, c.mant);
  if (!s) return packZero(f, st.rmode === RMODE.RM ? 1 : 0);
  return roundPack(f, s.sign, s.exp, s.mant, st, st.fz);
}

/** Comparison result as FPSCR NZCV (bits 31..28 in bits 3..0): 0110 eq, 1000 lt, 0010 gt, 0011 unordered. */
export function compare(f: Fmt, ab: bigint, bb: bigint, st: FpStatus, signaling: boolean): number {
  const a = unpack(f, ab, st, st.fz);
  const b = unpack(f, bb, st, st.fz);
  if (isNaNc(a.cls) || isNaNc(b.cls)) {
    if (signaling || a.cls === SNAN || b.cls === SNAN) st.flags |= FLAG.IOC;
    return 0x3;
  }
  const c = cmpUp(a, b);
  return c === 0 ? 0x6 : c < 0 ? 0x8 : 0x2;
}

function cmpUp(a: Up, b: Up): number {
  if (a.cls === ZERO && b.cls === ZERO) return 0;
  const key = (u: Up): number => (u.cls === ZERO ? 0 : u.sign ? -1 : 1);
  const ka = key(a);
  const kb = key(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  // same sign, both non-zero
  let mag: number;
  if (a.cls === INF || b.cls === INF) mag = a.cls === b.cls ? 0 : a.cls === INF ? 1 : -1;
  else {
    const e = Math.min(a.exp, b.exp);
    const va = a.mant << BigInt(a.exp - e);
    const vb = b.mant << BigInt(b.exp - e);
    mag = va === vb ? 0 : va > vb ? 1 : -1;
  }
  return ka < 0 ? -mag : mag;
}

/**
 * Format conversion. `flushIn`/`flushOut` say whether FZ applies to the input / output
 * (QEMU disables it on the half-precision side of VCVTB/VCVTT).
 */
export function convert(
  to: Fmt,
  from: Fmt,
  bits: bigint,
  st: FpStatus,
  flushIn = st.fz,
  flushOut = st.fz,
): bigint {
  const a = unpack(from, bits, st, flushIn);
  if (isNaNc(a.cls)) {
    if (to.ahp) return invalidAhp(to, a.sign, st, true);
    return nanResult(to, a, st, from);
  }
  if (a.cls === INF) {
    if (to.ahp) return invalidAhp(to, a.sign, st, false);
    return packInf(to, a.sign);
  }
  if (a.cls === ZERO) return packZero(to, a.sign);
  return roundPack(to, a.sign, a.exp, a.mant, st, flushOut);
}

function invalidAhp(to: Fmt, sign: number, st: FpStatus, nan: boolean): bigint {
  st.flags |= FLAG.IOC;
  return nan ? packZero(to, sign) : packMax(to, sign);
}

/**
 * Float to integer (width 16 or 32 bits, signed or unsigned) of value * 2^fracBits, with
 * rounding mode `rmode`; saturates with IOC. NaN gives 0 and IOC. Returns the integer
 * (sign- or zero-extended to a JS number).
 */
export function toInt(
  f: Fmt,
  bits: bigint,
  st: FpStatus,
  signed: boolean,
  width: number,
  rmode: number,
  fracBits = 0,
): number {
  const a = unpack(f, bits, st, st.fz);
  const max = signed ? 2 ** (width - 1) - 1 : 2 ** width - 1;
  const min = signed ? -(2 ** (width - 1)) : 0;
  if (isNaNc(a.cls)) {
    st.flags |= FLAG.IOC;
    return 0;
  }
  if (a.cls === INF) {
    st.flags |= FLAG.IOC;
    return a.sign ? min : max;
  }
  if (a.cls === ZERO) return 0;
  const exp = a.exp + fracBits;
  let q: bigint;
  let inexact = false;
  if (exp >= 0) q = a.mant << BigInt(exp);
  else {
    const sh = BigInt(-exp);
    q = a.mant >> sh;
    const rem = a.mant & ((1n << sh) - 1n);
    if (rem !== 0n) {
      inexact = true;
      const half = 1n << (sh - 1n);
      let inc = false;
      switch (rmode) {
        case RMODE.RN:
          inc = rem > half || (rem === half && (q & 1n) === 1n);
          break;
        case RMODE.RP:
          inc = a.sign === 0;
          break;
        case RMODE.RM:
          inc = a.sign === 1;
          break;
        default:
          inc = false;
      }
      if (inc) q += 1n;
    }
  }
  const v = a.sign ? -q : q;
  if (v > BigInt(max)) {
    st.flags |= FLAG.IOC;
    return max;
  }
  if (v < BigInt(min)) {
    st.flags |= FLAG.IOC;
    return min;
  }
  if (inexact) st.flags |= FLAG.IXC;
  return Number(v);
}

/** Integer value v (exact, any size) times 2^-fracBits to format f with rounding mode `rmode`. */
export function fromInt(f: Fmt, v: bigint, st: FpStatus, rmode: number, fracBits = 0): bigint {
  if (v === 0n) return packZero(f, 0);
  const saved = st.rmode;
  st.rmode = rmode;
  const r = v < 0n ? roundPack(f, 1, -fracBits, -v, st, st.fz) : roundPack(f, 0, -fracBits, v, st, st.fz);
  st.rmode = saved;
  return r;
}
