// The host-double fast paths (src/fp/fast.ts) against the exact soft-float core: same
// result and same flags (Inexact only) whenever the fast path accepts a case; and the
// cases the exactness tests exist for (products, quotients and square roots whose odd
// parts have 53 or 54 bits, the ranges where TwoProduct stops being exact) are accepted.

import { describe, expect, it } from "vitest";
import * as fast from "../../src/fp/fast.js";
import {
  add,
  div,
  F32,
  F64,
  FLAG,
  type FpStatus,
  mul,
  muladd,
  RMODE,
  sqrt,
  toInt,
} from "../../src/fp/softfloat.js";
import { d2b, f2b, uniform } from "./bits.js";

const { SLOW, IXC, out } = fast;

const st = (): FpStatus => ({ rmode: RMODE.RN, fz: false, dn: false, flags: 0 });

/**
 * When the fast path accepted (f !== SLOW): its result and flags equal the exact core's
 * (which must raise nothing but Inexact). Returns whether it accepted.
 */
function agrees(f: number, slow: (s: FpStatus) => bigint, single = false): boolean {
  if (f === SLOW) return false;
  expect(f === 0 || f === IXC).toBe(true);
  const s = st();
  const want = slow(s);
  expect(single ? f2b(out[0]!) : d2b(out[0]!)).toBe(want);
  expect(s.flags & ~FLAG.IXC).toBe(0);
  expect(f).toBe(s.flags & FLAG.IXC);
  return true;
}

const mulRef = (a: number, b: number) => (s: FpStatus) => mul(F64, d2b(a), d2b(b), s);
const divRef = (a: number, b: number) => (s: FpStatus) => div(F64, d2b(a), d2b(b), s);
const sqrtRef = (a: number) => (s: FpStatus) => sqrt(F64, d2b(a), s);

/** Random normal values; short significands (exact cases) and wide exponents (range edges). */
function values(n: number, single: boolean): number[] {
  const r = uniform(12345);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const bits = [1, 2, 3, 12, 24, 27, 53][Math.floor(r() * 7)]!;
    const m = Math.floor(r() * 2 ** Math.min(bits, single ? 24 : 53)) + 1;
    const range = single ? 126 : 1022;
    const e = Math.floor((r() - 0.5) * 2 * (r() < 0.2 ? range : 40));
    let v = m * 2 ** e * (r() < 0.5 ? -1 : 1);
    if (single) v = Math.fround(v);
    if (v !== 0 && Number.isFinite(v) && Math.abs(v) >= (single ? 2 ** -126 : 2 ** -1022)) out.push(v);
  }
  return out;
}

/** A random odd integer of exactly `bits` significant bits (bits <= 53). */
function odd(r: () => number, bits: number): number {
  if (bits === 1) return 1;
  const lo = 2 ** (bits - 1);
  const v = lo + Math.floor(r() * lo);
  return v % 2 === 0 ? v + 1 : v;
}

describe("fast paths agree with the exact core", () => {
  it("double precision", () => {
    const xs = values(6000, false);
    let used = 0;
    for (let i = 0; i + 1 < xs.length; i++) {
      const a = xs[i]!;
      const b = xs[i + 1]!;
      if (agrees(fast.add64(a, b), (s) => add(F64, d2b(a), d2b(b), s))) used++;
      if (agrees(fast.mul64(a, b), mulRef(a, b))) used++;
      if (agrees(fast.div64(a, b), divRef(a, b))) used++;
      if (agrees(fast.sqrt64(Math.abs(a)), sqrtRef(Math.abs(a)))) used++;
      for (const rz of [false, true]) {
        const f = fast.toInt32(a, true, rz);
        if (f !== SLOW) {
          const s = st();
          expect(out[0]).toBe(toInt(F64, d2b(a), s, true, 32, rz ? RMODE.RZ : RMODE.RN));
          expect(f).toBe(s.flags & FLAG.IXC);
        }
      }
    }
    expect(used).toBeGreaterThan(15000);
  });
  it("single precision", () => {
    const xs = values(6000, true);
    let used = 0;
    for (let i = 0; i + 1 < xs.length; i++) {
      const a = xs[i]!;
      const b = xs[i + 1]!;
      if (agrees(fast.add32(a, b), (s) => add(F32, f2b(a), f2b(b), s), true)) used++;
      if (agrees(fast.mul32(a, b), (s) => mul(F32, f2b(a), f2b(b), s), true)) used++;
      if (agrees(fast.div32(a, b), (s) => div(F32, f2b(a), f2b(b), s), true)) used++;
      if (agrees(fast.sqrt32(Math.abs(a)), (s) => sqrt(F32, f2b(Math.abs(a)), s), true)) used++;
    }
    expect(used).toBeGreaterThan(15000);
  });
});

describe("double-precision exactness by TwoProduct", () => {
  it("products whose odd parts have 54 bits in all: exact and inexact, all accepted", () => {
    const r = uniform(7);
    const seen = { exact: 0, inexact: 0 };
    for (let i = 0; i < 20000; i++) {
      const s1 = 1 + Math.floor(r() * 53);
      const x = odd(r, s1);
      const y = odd(r, 54 - s1);
      const a = x * 2 ** Math.floor((r() - 0.5) * 200) * (r() < 0.5 ? -1 : 1);
      const b = y * 2 ** Math.floor((r() - 0.5) * 200);
      const f = fast.mul64(a, b);
      expect(f).not.toBe(SLOW);
      agrees(f, mulRef(a, b));
      // the product of the odd parts has 53 bits (exact) or 54 (a tie: inexact)
      expect(f).toBe(x * y < 2 ** 53 ? 0 : IXC);
      if (f === 0) seen.exact++;
      else seen.inexact++;
    }
    expect(seen.exact).toBeGreaterThan(1000);
    expect(seen.inexact).toBeGreaterThan(1000);
  });

  it("products of 53 and 55 odd bits: exact and inexact around the boundary", () => {
    const r = uniform(8);
    for (let i = 0; i < 20000; i++) {
      const n = r() < 0.5 ? 53 : 55;
      const s1 = Math.max(1, Math.min(53, n - 1 - Math.floor(r() * 53)));
      const s2 = n - s1;
      if (s2 < 1 || s2 > 53) continue;
      const a = odd(r, s1) * 2 ** Math.floor((r() - 0.5) * 60);
      const b = odd(r, s2) * 2 ** Math.floor((r() - 0.5) * 60);
      const f = fast.mul64(a, b);
      expect(f).not.toBe(SLOW);
      agrees(f, mulRef(a, b));
      if (n === 53) expect(f).toBe(0);
      else expect(f).toBe(IXC);
    }
  });

  it("exact quotients (odd parts of 54 bits in all) and their inexact neighbours", () => {
    const r = uniform(9);
    const seen = { exact: 0, inexact: 0 };
    for (let i = 0; i < 20000; i++) {
      const s1 = 1 + Math.floor(r() * 53);
      const x = odd(r, s1);
      const y = odd(r, Math.max(1, 54 - s1));
      const p = x * y; // exact when below 2^53
      if (p >= 2 ** 53) continue;
      const k = Math.floor(r() * 3) - 1; // p - 2, p, p + 2: still odd
      const a = (p + 2 * k) * 2 ** Math.floor((r() - 0.5) * 200) * (r() < 0.5 ? -1 : 1);
      const b = y * 2 ** Math.floor((r() - 0.5) * 200);
      const f = fast.div64(a, b);
      expect(f).not.toBe(SLOW);
      agrees(f, divRef(a, b));
      if (k === 0) expect(f).toBe(0);
      if (f === 0) seen.exact++;
      else seen.inexact++;
    }
    expect(seen.exact).toBeGreaterThan(1000);
    expect(seen.inexact).toBeGreaterThan(1000);
  });

  it("quotients whose rounded q * b equals a, yet are inexact", () => {
    // a / b rounded to q; q * b is rounded back to a although q * b != a exactly
    const r = uniform(10);
    let hits = 0;
    for (let i = 0; i < 50000 && hits < 500; i++) {
      const a = odd(r, 53) * 2 ** -52;
      const b = odd(r, 1 + Math.floor(r() * 53)) * 2 ** Math.floor((r() - 0.5) * 10);
      const q = a / b;
      if (q * b !== a) continue;
      const f = fast.div64(a, b);
      expect(f).not.toBe(SLOW);
      agrees(f, divRef(a, b));
      if (f === IXC) hits++;
    }
    expect(hits).toBeGreaterThan(100);
  });

  it("square roots of perfect squares (27-bit odd roots) and their neighbours", () => {
    const r = uniform(11);
    const seen = { exact: 0, inexact: 0 };
    for (let i = 0; i < 20000; i++) {
      const bits = 1 + Math.floor(r() * 27);
      let x = odd(r, bits);
      if (x * x >= 2 ** 53) x = 94906265; // the largest odd x with x * x < 2^53
      const k = Math.floor(r() * 3) - 1;
      const e = 2 * Math.floor((r() - 0.5) * 900);
      const a = (x * x + 2 * k) * 2 ** e;
      if (!(a > 0)) continue;
      const f = fast.sqrt64(a);
      expect(f).not.toBe(SLOW);
      agrees(f, sqrtRef(a));
      if (k === 0) expect(f).toBe(0);
      if (f === 0) seen.exact++;
      else seen.inexact++;
    }
    expect(seen.exact).toBeGreaterThan(1000);
    expect(seen.inexact).toBeGreaterThan(1000);
    // odd exponents: the root of 2^(2k+1) is irrational
    agrees(fast.sqrt64(2), sqrtRef(2));
    expect(fast.sqrt64(2)).toBe(IXC);
  });

  it("near the splitting overflow and the error-term underflow", () => {
    const r = uniform(12);
    let used = 0;
    const edges = [
      -1022, -1021, -1000, -990, -985, -970, -969, -968, -967, -900, 900, 990, 993, 994, 995, 996, 1000, 1022,
      1023,
    ];
    for (let i = 0; i < 40000; i++) {
      const sig = () =>
        r() < 0.5 ? odd(r, 1 + Math.floor(r() * 53)) / 2 ** 52 : 1 + Math.floor(r() * 2 ** 52) / 2 ** 52;
      const ea = edges[Math.floor(r() * edges.length)]! + Math.floor(r() * 3) - 1;
      const eb =
        r() < 0.5
          ? Math.floor((r() - 0.5) * 80)
          : -ea + Math.floor((r() - 0.5) * 80) - 970 * (r() < 0.3 ? 1 : 0);
      const a = sig() * 2 ** ea * (r() < 0.5 ? -1 : 1);
      const b = sig() * 2 ** Math.max(-1022, Math.min(1023, eb));
      if (!(Math.abs(a) >= 2 ** -1022 && Math.abs(a) < Number.POSITIVE_INFINITY)) continue;
      if (!(Math.abs(b) >= 2 ** -1022 && Math.abs(b) < Number.POSITIVE_INFINITY)) continue;
      if (agrees(fast.mul64(a, b), mulRef(a, b))) used++;
      if (agrees(fast.div64(a, b), divRef(a, b))) used++;
      if (agrees(fast.sqrt64(Math.abs(a)), sqrtRef(Math.abs(a)))) used++;
      // inside the ranges the fast paths must accept
      const p = Math.abs(a * b);
      if (
        Math.abs(a) < fast.SPLIT_MAX &&
        Math.abs(b) < fast.SPLIT_MAX &&
        p >= fast.EXACT_MIN &&
        p < 2 ** 1023
      )
        expect(fast.mul64(a, b)).not.toBe(SLOW);
    }
    expect(used).toBeGreaterThan(20000);
    // (2^52 + 1)^2 = 2^104 + 2^53 + 1 rounds to 2^104 + 2^53: the error is one unit of
    // ulp(a) * ulp(a), which TwoProduct loses once that is below 2^-1074 (products below
    // about 2^-970): the guard must send those to the exact path. Likewise
    // (2^104 + 2^53) / (2^52 + 1) rounds to 2^52 + 1, whose product with the divisor
    // rounds back to the dividend: inexact by that one unit.
    let scanned = 0;
    for (let e = -620; e <= -400; e++) {
      const a = (2 ** 52 + 1) * 2 ** e;
      const sq = a * a;
      if (agrees(fast.mul64(a, a), mulRef(a, a))) {
        expect(fast.mul64(a, a)).toBe(IXC);
        scanned++;
      }
      if (agrees(fast.div64(sq, a), divRef(sq, a))) {
        expect(fast.div64(sq, a)).toBe(IXC);
        scanned++;
      }
    }
    expect(scanned).toBeGreaterThan(2 * 130);
    // products near the largest double: the split high parts of all-ones significands
    // round up, and their product must not overflow (or the error term is NaN)
    let big = 0;
    for (let e = 940; e <= 1023; e++) {
      for (const s of [26, 27, 28, 52, 53]) {
        for (const f of [1, 1.5, 2 - 2 ** -52, 1 + 2 ** -52]) {
          const a = (2 ** s - 1) * 2 ** (e - s);
          const b = f * 2 ** (1023 - e);
          if (b >= fast.SPLIT_MAX || a >= fast.SPLIT_MAX) continue;
          const p = a * b;
          if (agrees(fast.mul64(a, b), mulRef(a, b))) big++;
          if (agrees(fast.div64(p, b), divRef(p, b))) big++;
          if (agrees(fast.div64(p, a), divRef(p, a))) big++;
          if (agrees(fast.sqrt64(p), sqrtRef(p))) big++;
        }
      }
    }
    expect(big).toBeGreaterThan(500);
    const MAX = (2 ** 53 - 1) * 2 ** 971;
    expect(agrees(fast.div64(MAX, 2 ** 971), divRef(MAX, 2 ** 971))).toBe(false);
    expect(agrees(fast.mul64(2 ** 53 - 1, 2 ** 971), mulRef(2 ** 53 - 1, 2 ** 971))).toBe(false);
    expect(fast.mul64((2 ** 53 - 1) * 2 ** -1, 2 ** 971)).toBe(0);
    expect(fast.div64(MAX / 2, 2 ** 970)).toBe(0);
    // the edges themselves
    const M = 2 ** 995 * (2 - 2 ** -52); // just below SPLIT_MAX
    agrees(fast.mul64(M, 0.75), mulRef(M, 0.75));
    expect(fast.mul64(2 ** 995, 0.75)).toBe(SLOW);
    const t = (2 ** 53 - 1) * 2 ** -1021; // 53-bit odd part, product at EXACT_MIN
    agrees(fast.mul64(t, 2 ** -52 * 3), mulRef(t, 2 ** -52 * 3));
    expect(fast.mul64(2 ** -500, 2 ** -469)).toBe(SLOW); // 2^-969 < EXACT_MIN
    expect(fast.mul64(2 ** -500, 2 ** -468)).toBe(0);
    expect(fast.div64(2 ** -969, 3)).toBe(SLOW);
    expect(fast.sqrt64(2 ** -969)).toBe(SLOW);
    expect(fast.sqrt64(2 ** -968)).toBe(0);
    expect(fast.mul64(2 ** 600, 2 ** 500)).toBe(SLOW); // overflow
    expect(fast.div64(2 ** -1000, 2 ** 30)).toBe(SLOW); // underflow
  });
});

describe("single-precision fused multiply-add fast path", () => {
  it("agrees with the exact core", () => {
    const r = uniform(99);
    const val = () => {
      const bits = [1, 3, 12, 24][Math.floor(r() * 4)]!;
      const m = Math.floor(r() * 2 ** bits) + 1;
      return Math.fround(m * 2 ** Math.floor((r() - 0.5) * 40) * (r() < 0.5 ? -1 : 1));
    };
    let used = 0;
    for (let i = 0; i < 20000; i++) {
      const a = val();
      const b = val();
      // c near -a*b to provoke cancellation and midpoint cases
      const c = r() < 0.5 ? val() : Math.fround(-a * b * (1 + (r() - 0.5) * 2 ** -20));
      if (agrees(fast.fma32(a, b, c), (s) => muladd(F32, f2b(a), f2b(b), f2b(c), s), true)) used++;
    }
    expect(used).toBeGreaterThan(10000);
  });
});
