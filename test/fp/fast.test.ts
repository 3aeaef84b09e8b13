// The host-double fast paths (src/fp/fast.ts) against the exact soft-float core: same
// result and same Inexact flag whenever the fast path accepts a case.

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
import { d2b, f2b } from "./bits.js";

const st = (): FpStatus => ({ rmode: RMODE.RN, fz: false, dn: false, flags: 0 });

/** Random normal values; short significands (exact cases) and wide exponents (range edges). */
function values(n: number, single: boolean): number[] {
  let s = 12345;
  const r = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
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

describe("fast paths agree with the exact core", () => {
  it("double precision", () => {
    const xs = values(6000, false);
    let used = 0;
    for (let i = 0; i + 1 < xs.length; i++) {
      const a = xs[i]!;
      const b = xs[i + 1]!;
      const check = (ok: boolean, slow: (s: FpStatus) => bigint) => {
        if (!ok) return;
        used++;
        const s = st();
        expect(d2b(fast.fr)).toBe(slow(s));
        expect(fast.fx).toBe((s.flags & FLAG.IXC) !== 0);
      };
      check(fast.add64(a, b), (s) => add(F64, d2b(a), d2b(b), s));
      check(fast.mul64(a, b), (s) => mul(F64, d2b(a), d2b(b), s));
      check(fast.div64(a, b), (s) => div(F64, d2b(a), d2b(b), s));
      check(fast.sqrt64(Math.abs(a)), (s) => sqrt(F64, d2b(Math.abs(a)), s));
      for (const rz of [false, true]) {
        if (fast.toInt32(a, true, rz)) {
          const s = st();
          expect(fast.fr).toBe(toInt(F64, d2b(a), s, true, 32, rz ? RMODE.RZ : RMODE.RN));
          expect(fast.fx).toBe((s.flags & FLAG.IXC) !== 0);
        }
      }
    }
    expect(used).toBeGreaterThan(10000);
  });
  it("single precision", () => {
    const xs = values(6000, true);
    for (let i = 0; i + 1 < xs.length; i++) {
      const a = xs[i]!;
      const b = xs[i + 1]!;
      const check = (ok: boolean, slow: (s: FpStatus) => bigint) => {
        if (!ok) return;
        const s = st();
        expect(f2b(fast.fr)).toBe(slow(s));
        expect(fast.fx).toBe((s.flags & FLAG.IXC) !== 0);
      };
      check(fast.add32(a, b), (s) => add(F32, f2b(a), f2b(b), s));
      check(fast.mul32(a, b), (s) => mul(F32, f2b(a), f2b(b), s));
      check(fast.div32(a, b), (s) => div(F32, f2b(a), f2b(b), s));
      check(fast.sqrt32(Math.abs(a)), (s) => sqrt(F32, f2b(Math.abs(a)), s));
    }
  });
});

describe("single-precision fused multiply-add fast path", () => {
  it("agrees with the exact core", () => {
    let s = 99;
    const r = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
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
      if (!fast.fma32(a, b, c)) continue;
      used++;
      const st0: FpStatus = { rmode: RMODE.RN, fz: false, dn: false, flags: 0 };
      expect(f2b(fast.fr)).toBe(muladd(F32, f2b(a), f2b(b), f2b(c), st0));
      expect(fast.fx).toBe((st0.flags & FLAG.IXC) !== 0);
    }
    expect(used).toBeGreaterThan(10000);
  });
});
