// VFP data processing through the helper (src/sem/helpers/vfp.ts: access checks, the
// per-operation fast paths on float views of the register file, the flag update) against
// its exact soft-float path (slowDp), on the same machine state: every register word and
// FPSCR must come out the same. Operands are biased towards the cases the fast paths must
// get right or hand over: short significands (exact results), all-ones significands,
// exponents near the ends of the range, zeros, denormals, infinities and NaNs, under
// every rounding mode with FZ and DN on and off.

import { describe, expect, it } from "vitest";
import { Machine } from "../../src/board/machine.js";
import { S } from "../../src/cpu/state.js";
import { FPEXC_EN, slowDp, vfpHelpers } from "../../src/sem/helpers/vfp.js";
import { Vop } from "../../src/sem/vfp_ops.js";
import { uniform } from "./bits.js";

const VW = S.VFP >> 2;
const FPSCR_W = S.FPSCR >> 2;

/** Random raw words of a double: [lo, hi]. */
function randD(r: () => number): [number, number] {
  const k = Math.floor(r() * 10);
  const sign = r() < 0.5 ? 0x80000000 : 0;
  // biased exponent: zero/denormal, infinity/NaN, near the bottom (products underflow),
  // near the top, TwoProduct's limits (2^995, 2^-968), 2^20..2^60 (times the top ones:
  // products near the largest double), moderate
  let e: number;
  if (k === 0) e = 0;
  else if (k === 1) e = 0x7ff;
  else if (k <= 3) e = 1 + Math.floor(r() * 80);
  else if (k <= 5) e = 0x7fe - Math.floor(r() * 90);
  else if (k === 6) e = (r() < 0.5 ? 1023 + 995 : 1023 - 968) + Math.floor(r() * 11) - 5;
  else if (k === 7) e = 1023 + 20 + Math.floor(r() * 40);
  else e = 1023 + Math.floor((r() - 0.5) * 80);
  e = Math.max(0, Math.min(0x7ff, e));
  let hi: number;
  let lo: number;
  const mk = Math.floor(r() * 4);
  if (mk === 0) {
    // short significand: few bits at the top
    const bits = Math.floor(r() * 28);
    const v = Math.floor(r() * 2 ** bits) * 2 ** (52 - bits); // < 2^52
    hi = Math.floor(v / 2 ** 32);
    lo = v % 2 ** 32;
  } else if (mk === 1) {
    hi = 0xfffff;
    lo = r() < 0.5 ? 0xffffffff : 0xffffffff - Math.floor(r() * 16);
  } else {
    hi = Math.floor(r() * 2 ** 20);
    lo = Math.floor(r() * 2 ** 32);
  }
  if (e === 0x7ff && r() < 0.3) hi = lo = 0; // infinity
  return [lo | 0, sign | (e << 20) | hi | 0];
}

/** A random single's raw word. */
function randS(r: () => number): number {
  const k = Math.floor(r() * 10);
  const sign = r() < 0.5 ? 0x80000000 : 0;
  let e: number;
  if (k === 0) e = 0;
  else if (k === 1) e = 0xff;
  else if (k <= 3) e = 1 + Math.floor(r() * 30);
  else if (k <= 5) e = 0xfe - Math.floor(r() * 30);
  else e = 127 + Math.floor((r() - 0.5) * 40);
  const mk = Math.floor(r() * 3);
  let f: number;
  if (mk === 0) {
    const bits = Math.floor(r() * 13);
    f = Math.floor(r() * 2 ** bits) << (23 - bits);
  } else if (mk === 1) f = 0x7fffff - Math.floor(r() * 4);
  else f = Math.floor(r() * 2 ** 23);
  if (e === 0xff && r() < 0.3) f = 0;
  return sign | (e << 23) | f | 0;
}

/** Every data-processing operation with a fast path (the F16 and fixed-point ones have none). */
const TRIALS = 100000;
const OPS = Array.from({ length: Vop.VCVTB_F16_TO }, (_, i) => i);

describe("VFP data processing: fast paths against the exact path", () => {
  it("same registers and FPSCR for every operation", () => {
    const m = new Machine({ memMiB: 1, semihosting: false });
    const cpu = m.cpu;
    const W = cpu.W;
    cpu.sys.set("CPACR", 0x00f00000);
    W[S.FPEXC >> 2] = FPEXC_EN;
    const r = uniform(2024);
    const regs = new Int32Array(64);
    let fastOk = 0;
    for (let t = 0; t < TRIALS; t++) {
      // a few registers with fresh operands (the rest keep earlier results)
      for (let i = 0; i < 6; i++) {
        const dn = Math.floor(r() * 32);
        if (r() < 0.5) {
          const [lo, hi] = randD(r);
          W[VW + 2 * dn] = lo;
          W[VW + 2 * dn + 1] = hi;
        } else W[VW + dn] = randS(r);
      }
      // FPSCR: round to nearest mostly, random FZ/DN, cumulative flags, NZCV
      const rmode = r() < 0.7 ? 0 : Math.floor(r() * 4);
      const fpscr =
        (rmode << 22) |
        (r() < 0.3 ? 1 << 24 : 0) |
        (r() < 0.3 ? 1 << 25 : 0) |
        (r() < 0.2 ? Math.floor(r() * 32) : 0) |
        (Math.floor(r() * 16) << 28);
      W[FPSCR_W] = fpscr;
      const op = OPS[Math.floor(r() * OPS.length)]!;
      const dp = r() < 0.5 ? 1 : 0;
      const d = Math.floor(r() * 32);
      const n = op === Vop.VMOV_IMM ? Math.floor(r() * 2 ** 32) | 0 : Math.floor(r() * 32);
      const mm = Math.floor(r() * 32);
      regs.set(W.subarray(VW, VW + 64));
      expect(vfpHelpers.vfpDp(cpu, op * 2 + dp, d, n, mm)).toBe(0);
      const fastRegs = Array.from(W.subarray(VW, VW + 64));
      const fastFpscr = W[FPSCR_W];
      W.set(regs, VW);
      W[FPSCR_W] = fpscr;
      slowDp(cpu, op, dp, d, n, mm);
      const ctx = `op ${op} dp ${dp} d ${d} n ${n} m ${mm} fpscr ${fpscr.toString(16)}`;
      expect(fastRegs, ctx).toEqual(Array.from(W.subarray(VW, VW + 64)));
      expect(fastFpscr, ctx).toBe(W[FPSCR_W]);
      fastOk++;
    }
    expect(fastOk).toBe(TRIALS);
  });
});
