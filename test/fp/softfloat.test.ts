// Unit tests of the soft-float core (src/fp/softfloat.ts): round-to-nearest results against
// the host's IEEE doubles (Math.fround for single precision), plus ARM-specific cases
// (flags, flush-to-zero, default NaN, NaN propagation, tininess before rounding).

import { describe, expect, it } from "vitest";
import {
  add,
  compare,
  convert,
  div,
  F16,
  F16AHP,
  F32,
  F64,
  FLAG,
  type FpStatus,
  fromInt,
  mul,
  muladd,
  RMODE,
  sqrt,
  sub,
  toInt,
} from "../../src/fp/softfloat.js";
import { b2d, b2f, d2b, f2b } from "./bits.js";

const st = (o: Partial<FpStatus> = {}): FpStatus => ({
  rmode: RMODE.RN,
  fz: false,
  dn: false,
  flags: 0,
  ...o,
});

/** Deterministic random doubles over the whole exponent range (and some specials). */
function* randomDoubles(n: number, seed = 1): Generator<number> {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  for (let i = 0; i < n; i++) {
    const hi = next();
    const lo = next();
    const k = next() % 8;
    if (k === 0)
      yield b2d((BigInt(hi & 0x800fffff) << 32n) | BigInt(lo)); // denormal
    else if (k === 1)
      yield b2d((BigInt((hi & 0x800fffff) | ((1023 + (next() % 60) - 30) << 20)) << 32n) | BigInt(lo));
    else yield b2d((BigInt(hi) << 32n) | BigInt(lo));
  }
}

describe("softfloat, round to nearest vs host doubles", () => {
  const xs = [...randomDoubles(3000)].filter((x) => !Number.isNaN(x));
  it("add/sub/mul/div/sqrt (f64) agree with the host", () => {
    for (let i = 0; i + 1 < xs.length; i++) {
      const a = xs[i]!;
      const b = xs[i + 1]!;
      expect(b2d(add(F64, d2b(a), d2b(b), st()))).toBe(a + b);
      expect(b2d(sub(F64, d2b(a), d2b(b), st()))).toBe(a - b);
      expect(b2d(mul(F64, d2b(a), d2b(b), st()))).toBe(a * b);
      const q = a / b;
      if (!Number.isNaN(q)) expect(b2d(div(F64, d2b(a), d2b(b), st()))).toBe(q);
      if (a >= 0) expect(b2d(sqrt(F64, d2b(a), st()))).toBe(Math.sqrt(a));
    }
  });
  it("single precision agrees with Math.fround of the double result", () => {
    const fs = xs.map((x) => Math.fround(x)).filter((x) => Number.isFinite(x));
    for (let i = 0; i + 1 < fs.length; i++) {
      const a = fs[i]!;
      const b = fs[i + 1]!;
      const r = b2f;
      expect(r(add(F32, f2b(a), f2b(b), st()))).toBe(Math.fround(a + b));
      expect(r(mul(F32, f2b(a), f2b(b), st()))).toBe(Math.fround(a * b));
      if (b !== 0) expect(r(div(F32, f2b(a), f2b(b), st()))).toBe(Math.fround(a / b));
      expect(b2d(convert(F64, F32, f2b(a), st()))).toBe(a);
    }
  });
});

describe("softfloat, ARM specifics", () => {
  it("raises IXC/UFC/OFC and respects directed rounding on overflow", () => {
    const max = 0x7fefffffffffffffn;
    let s = st();
    expect(add(F64, max, max, s)).toBe(0x7ff0000000000000n);
    expect(s.flags).toBe(FLAG.OFC | FLAG.IXC);
    s = st({ rmode: RMODE.RZ });
    expect(add(F64, max, max, s)).toBe(max);
    s = st({ rmode: RMODE.RM });
    expect(mul(F64, max, d2b(-2), s)).toBe(0xfff0000000000000n);
  });
  it("detects tininess before rounding", () => {
    // (1 - 2^-53) * 2^-1022 rounds up to the smallest normal but is tiny before rounding
    const s = st();
    const r = mul(F64, d2b(2 ** -511), d2b(2 ** -511) - 1n, s);
    expect(r).toBe(0x0010000000000000n);
    expect(s.flags).toBe(FLAG.UFC | FLAG.IXC);
  });
  it("flush-to-zero: inputs raise IDC, tiny results become zero with UFC only", () => {
    let s = st({ fz: true });
    expect(add(F64, 1n, d2b(1), s)).toBe(d2b(1));
    expect(s.flags).toBe(FLAG.IDC);
    s = st({ fz: true });
    expect(mul(F64, d2b(2 ** -600), d2b(-(2 ** -600)), s)).toBe(1n << 63n);
    expect(s.flags).toBe(FLAG.UFC);
  });
  it("propagates NaNs the ARM way", () => {
    const qa = 0x7ff8000000000001n;
    const sb = 0x7ff0000000000002n;
    let s = st();
    expect(add(F64, qa, sb, s)).toBe(0x7ff8000000000002n); // the signalling NaN wins, quietened
    expect(s.flags).toBe(FLAG.IOC);
    s = st({ dn: true });
    expect(mul(F64, qa, d2b(1), s)).toBe(0x7ff8000000000000n);
    s = st();
    expect(sub(F64, d2b(1), 0xfff8000000000005n, s)).toBe(0xfff8000000000005n); // sign kept
    s = st();
    // (0 * inf) + qNaN -> default NaN, Invalid
    expect(muladd(F64, 0n, 0x7ff0000000000000n, qa, s)).toBe(0x7ff8000000000000n);
    expect(s.flags).toBe(FLAG.IOC);
    s = st();
    expect(muladd(F64, d2b(1), qa, 0x7ff8000000000009n, s)).toBe(0x7ff8000000000009n); // addend first
  });
  it("fused multiply-add rounds once", () => {
    const a = d2b(1 + 2 ** -52);
    const b = d2b(1 - 2 ** -52);
    expect(b2d(muladd(F64, a, b, d2b(-1), st()))).toBe(-(2 ** -104));
  });
  it("compares", () => {
    const s = st();
    expect(compare(F64, d2b(0), d2b(-0), s, false)).toBe(0x6);
    expect(compare(F64, d2b(-1), d2b(2), s, false)).toBe(0x8);
    expect(compare(F64, d2b(3), d2b(2), s, false)).toBe(0x2);
    expect(compare(F64, 0x7ff8000000000000n, d2b(2), s, false)).toBe(0x3);
    expect(s.flags).toBe(0);
    expect(compare(F64, 0x7ff8000000000000n, d2b(2), s, true)).toBe(0x3);
    expect(s.flags).toBe(FLAG.IOC);
  });
  it("converts to and from integers with saturation", () => {
    let s = st();
    expect(toInt(F64, d2b(2147483648), s, true, 32, RMODE.RZ)).toBe(2147483647);
    expect(s.flags).toBe(FLAG.IOC);
    s = st();
    expect(toInt(F64, d2b(-0.5), s, false, 32, RMODE.RZ)).toBe(0);
    expect(s.flags).toBe(FLAG.IXC);
    s = st();
    expect(toInt(F64, d2b(2.5), s, true, 32, RMODE.RN)).toBe(2);
    expect(toInt(F64, d2b(-2.5), s, true, 32, RMODE.RM)).toBe(-3);
    expect(toInt(F64, d2b(1.75), s, true, 16, RMODE.RZ, 3)).toBe(14);
    expect(fromInt(F32, 16777217n, st(), RMODE.RN)).toBe(f2b(16777216));
    expect(fromInt(F32, 16777217n, st(), RMODE.RP)).toBe(f2b(16777218));
    expect(b2d(fromInt(F64, -3n, st(), RMODE.RN, 1))).toBe(-1.5);
  });
  it("converts half precision (IEEE and alternative)", () => {
    let s = st();
    expect(convert(F16, F32, f2b(65520), s)).toBe(0x7c00n);
    expect(s.flags).toBe(FLAG.OFC | FLAG.IXC);
    s = st();
    expect(convert(F16AHP, F32, f2b(65520), s)).toBe(0x7c00n);
    s = st();
    expect(convert(F16AHP, F32, f2b(Number.POSITIVE_INFINITY), s)).toBe(0x7fffn);
    expect(s.flags).toBe(FLAG.IOC);
    expect(convert(F32, F16AHP, 0x7fffn, st())).toBe(f2b(131008));
    expect(convert(F32, F16, 0x7d00n, st())).toBe(0x7fa00000n | (1n << 22n));
  });
});
