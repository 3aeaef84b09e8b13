// Macros shared by the multiply and media groups (mul.ts, media.ts): 16-bit halves,
// 64-bit arithmetic on (lo, hi) pairs with explicit carries, saturation and the sticky
// Q flag. All are written against the builder, so both tiers inline them.

import { S } from "../cpu/state.js";
import type { Builder } from "./builder.js";

/** A 64-bit value as two i32 halves. */
export interface Pair<V> {
  lo: V;
  hi: V;
}

/** Sign-extended low halfword. */
export function lo16s<V>(b: Builder<V>, x: V): V {
  return b.asr(b.shl(x, b.k(16)), b.k(16));
}

/** Sign-extended high halfword. */
export function hi16s<V>(b: Builder<V>, x: V): V {
  return b.asr(x, b.k(16));
}

/** Signed halfword `top` (0 = bits 15:0, 1 = bits 31:16), decode-time choice. */
export function half16s<V>(b: Builder<V>, x: V, top: number): V {
  return top ? hi16s(b, x) : lo16s(b, x);
}

/** Sign-extend an i32 to a pair. */
export function sext64<V>(b: Builder<V>, x: V): Pair<V> {
  const lo = b.let(x);
  return { lo, hi: b.let(b.asr(lo, b.k(31))) };
}

/** 64-bit a + b. */
export function add64<V>(b: Builder<V>, x: Pair<V>, y: Pair<V>): Pair<V> {
  const lo = b.let(b.add(x.lo, y.lo));
  const c = b.ltu(lo, x.lo);
  return { lo, hi: b.let(b.add(b.add(x.hi, y.hi), c)) };
}

/** 64-bit a - b. */
export function sub64<V>(b: Builder<V>, x: Pair<V>, y: Pair<V>): Pair<V> {
  const lo = b.let(b.sub(x.lo, y.lo));
  const borrow = b.ltu(x.lo, y.lo);
  return { lo, hi: b.let(b.sub(b.sub(x.hi, y.hi), borrow)) };
}

/** Full 64-bit product, signed or unsigned. */
export function mul64<V>(b: Builder<V>, x: V, y: V, signed: boolean): Pair<V> {
  x = b.let(x);
  y = b.let(y);
  return { lo: b.let(b.mul(x, y)), hi: b.let(signed ? b.mulhs(x, y) : b.mulhu(x, y)) };
}

/** 1 when a signed 64-bit pair does not fit in an i32. */
export function ovf64<V>(b: Builder<V>, x: Pair<V>): V {
  return b.ne(x.hi, b.asr(x.lo, b.k(31)));
}

/** Signed 32-bit add with overflow (0/1). */
export function addOv<V>(b: Builder<V>, x: V, y: V): { r: V; ov: V } {
  x = b.let(x);
  y = b.let(y);
  const r = b.let(b.add(x, y));
  return { r, ov: b.let(b.lsr(b.and(b.xor(r, x), b.xor(r, y)), b.k(31))) };
}

/** Signed 32-bit subtract with overflow (0/1). */
export function subOv<V>(b: Builder<V>, x: V, y: V): { r: V; ov: V } {
  x = b.let(x);
  y = b.let(y);
  const r = b.let(b.sub(x, y));
  return { r, ov: b.let(b.lsr(b.and(b.xor(x, y), b.xor(r, x)), b.k(31))) };
}

/** Q <- Q | q (q is 0/1). */
export function setQ<V>(b: Builder<V>, q: V): void {
  b.setState(S.QF, b.or(b.getState(S.QF), q));
}

/** Saturated result of a signed add/sub that overflowed: positive max if x was >= 0. */
export function satOv<V>(b: Builder<V>, r: V, ov: V, x: V): V {
  // on overflow the true result has the sign of x (add: x and y agree; sub: x and -y agree)
  return b.select(ov, b.xor(b.asr(x, b.k(31)), b.k(0x7fffffff)), r);
}

/** Clamp a signed value to the constant range [min, max]; q = 1 when it was out of range. */
export function clampK<V>(b: Builder<V>, v: V, min: number, max: number): { r: V; q: V } {
  v = b.let(v);
  const big = b.let(b.lts(b.k(max), v));
  const small = b.let(b.lts(v, b.k(min)));
  return { r: b.let(b.select(big, b.k(max), b.select(small, b.k(min), v))), q: b.or(big, small) };
}

/** SignedSatQ(v, n) with n a runtime value in 1..32. */
export function ssatN<V>(b: Builder<V>, v: V, n: V): { r: V; q: V } {
  v = b.let(v);
  const max = b.let(b.sub(b.shl(b.k(1), b.sub(n, b.k(1))), b.k(1)));
  const min = b.let(b.not(max));
  const big = b.let(b.lts(max, v));
  const small = b.let(b.lts(v, min));
  return { r: b.let(b.select(big, max, b.select(small, min, v))), q: b.or(big, small) };
}

/** UnsignedSatQ(v, n) (v signed) with n a runtime value in 0..31. */
export function usatN<V>(b: Builder<V>, v: V, n: V): { r: V; q: V } {
  v = b.let(v);
  const max = b.let(b.sub(b.shl(b.k(1), n), b.k(1)));
  const big = b.let(b.lts(max, v));
  const neg = b.let(b.lts(v, b.k(0)));
  return { r: b.let(b.select(big, max, b.select(neg, b.k(0), v))), q: b.or(big, neg) };
}
