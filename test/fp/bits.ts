// Host float <-> IEEE bit patterns for the soft-float tests, and their random numbers.
import { Rng } from "../../src/difftest/rng.js";

/** Seeded uniform numbers in [0, 1) (the project's Rng). */
export function uniform(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.u32() / 2 ** 32;
}

const buf = new DataView(new ArrayBuffer(8));

export const d2b = (x: number): bigint => {
  buf.setFloat64(0, x);
  return buf.getBigUint64(0);
};
export const b2d = (b: bigint): number => {
  buf.setBigUint64(0, b);
  return buf.getFloat64(0);
};
export const f2b = (x: number): bigint => {
  buf.setFloat32(0, x);
  return BigInt(buf.getUint32(0));
};
export const b2f = (b: bigint): number => {
  buf.setUint32(0, Number(b));
  return buf.getFloat32(0);
};
