// Semantic building blocks shared by many definitions (written once against the
// builder, so both tiers get them): flag updates, the shifter, add-with-carry.

import { S } from "../cpu/state.js";
import type { Builder } from "./builder.js";

/** Shift kinds as decode-time params. Amount-0 and amount-32 forms are split out at decode. */
export const Sh = { NONE: 0, LSL: 1, LSR: 2, ASR: 3, ROR: 4, RRX: 5, LSR32: 6, ASR32: 7 } as const;
export const SH_KINDS = 8;

/**
 * Block transfers (LDM/STM) of n words in mode DA/IA/DB/IB (0..3, A32 bits P:U): the
 * lowest word's offset from the base, and the written-back base's.
 */
export function blockStartOffset(mode: number, n: number): number {
  switch (mode & 3) {
    case 0: // DA
      return 4 - 4 * n;
    case 1: // IA
      return 0;
    case 2: // DB
      return -4 * n;
    default: // IB
      return 4;
  }
}
export const blockBaseDelta = (mode: number, n: number): number => (mode & 1 ? 4 * n : -4 * n);

/** Map an A32/T32 immediate shift (type, imm5) to (kind, amount). */
export function immShift(type: number, imm5: number): { sh: number; amt: number } {
  switch (type) {
    case 0:
      return imm5 === 0 ? { sh: Sh.NONE, amt: 0 } : { sh: Sh.LSL, amt: imm5 };
    case 1:
      return imm5 === 0 ? { sh: Sh.LSR32, amt: 0 } : { sh: Sh.LSR, amt: imm5 };
    case 2:
      return imm5 === 0 ? { sh: Sh.ASR32, amt: 0 } : { sh: Sh.ASR, amt: imm5 };
    default:
      return imm5 === 0 ? { sh: Sh.RRX, amt: 0 } : { sh: Sh.ROR, amt: imm5 };
  }
}

export function getC<V>(b: Builder<V>): V {
  return b.getState(S.CF);
}

/** Immediate-shift: value and carry-out (carry computed only when wantC). */
export function shiftImm<V>(b: Builder<V>, sh: number, v: V, amt: V, wantC: boolean): { r: V; c: V | null } {
  const c = (x: V): V | null => (wantC ? b.let(x) : null);
  switch (sh) {
    case Sh.NONE:
      return { r: v, c: c(getC(b)) };
    case Sh.LSL:
      return { r: b.shl(v, amt), c: c(b.and(b.lsr(v, b.sub(b.k(32), amt)), b.k(1))) };
    case Sh.LSR:
      return { r: b.lsr(v, amt), c: c(b.and(b.lsr(v, b.sub(amt, b.k(1))), b.k(1))) };
    case Sh.ASR:
      return { r: b.asr(v, amt), c: c(b.and(b.lsr(v, b.sub(amt, b.k(1))), b.k(1))) };
    case Sh.ROR:
      return { r: b.ror(v, amt), c: c(b.and(b.lsr(v, b.sub(amt, b.k(1))), b.k(1))) };
    case Sh.RRX: {
      const r = b.or(b.lsr(v, b.k(1)), b.shl(getC(b), b.k(31)));
      return { r, c: c(b.and(v, b.k(1))) };
    }
    case Sh.LSR32:
      return { r: b.k(0), c: c(b.lsr(v, b.k(31))) };
    default: // ASR32
      return { r: b.asr(v, b.k(31)), c: c(b.lsr(v, b.k(31))) };
  }
}

/** Register-amount shift (amount = low byte of a register), type 0..3 = LSL LSR ASR ROR. */
export function shiftReg<V>(b: Builder<V>, type: number, v: V, rs: V, wantC: boolean): { r: V; c: V | null } {
  const amt = b.let(b.and(rs, b.k(0xff)));
  const cin = getC(b);
  const small = b.let(b.ltu(amt, b.k(32)));
  const a31 = b.let(b.and(amt, b.k(31)));
  const isZero = b.let(b.eqz(amt));
  switch (type) {
    case 0: {
      const r = b.select(small, b.shl(v, a31), b.k(0));
      if (!wantC) return { r, c: null };
      // carry: amt==0 -> C; 1..32 -> bit (32-amt); >32 -> 0
      const c = b.select(
        isZero,
        cin,
        b.select(b.leu(amt, b.k(32)), b.and(b.lsr(v, b.and(b.sub(b.k(32), amt), b.k(31))), b.k(1)), b.k(0)),
      );
      return { r: b.let(r), c: b.let(c) };
    }
    case 1: {
      const r = b.select(small, b.lsr(v, a31), b.k(0));
      if (!wantC) return { r, c: null };
      const c = b.select(
        isZero,
        cin,
        b.select(b.leu(amt, b.k(32)), b.and(b.lsr(v, b.and(b.sub(amt, b.k(1)), b.k(31))), b.k(1)), b.k(0)),
      );
      return { r: b.let(r), c: b.let(c) };
    }
    case 2: {
      const r = b.select(small, b.asr(v, a31), b.asr(v, b.k(31)));
      if (!wantC) return { r, c: null };
      const c = b.select(
        isZero,
        cin,
        b.select(small, b.and(b.lsr(v, b.and(b.sub(amt, b.k(1)), b.k(31))), b.k(1)), b.lsr(v, b.k(31))),
      );
      return { r: b.let(r), c: b.let(c) };
    }
    default: {
      const r = b.ror(v, a31);
      if (!wantC) return { r, c: null };
      // carry: amt==0 -> C; else bit31 of the result
      const c = b.select(isZero, cin, b.lsr(r, b.k(31)));
      return { r: b.let(r), c: b.let(c) };
    }
  }
}

/** Set N and Z from a result. */
export function setNZ<V>(b: Builder<V>, r: V): void {
  b.setState(S.NF, r);
  b.setState(S.ZF, r);
}

/** a + b + cin with carry and overflow (cin a 0/1 value). */
export function addWithCarry<V>(b: Builder<V>, x: V, y: V, cin: V): { r: V; c: V; v: V } {
  x = b.let(x);
  y = b.let(y);
  const r = b.let(b.add(b.add(x, y), cin));
  // carry: unsigned overflow; with cin, r <= x (unsigned) means a wrap
  const c = b.let(b.select(cin, b.leu(r, x), b.ltu(r, x)));
  const v = b.let(b.and(b.xor(r, x), b.not(b.xor(x, y))));
  return { r, c, v };
}
