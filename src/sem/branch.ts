// Branches: B, BL, BLX (immediate and register), BX, BXJ.

import { enc } from "../decode/pattern.js";
import type { Builder } from "./builder.js";
import { defineInsn } from "./defs.js";

/** LR value for a call: the next instruction, with bit 0 set when calling from Thumb (t = 1). */
export function linkValue<V>(b: Builder<V>, t: number): V {
  return t ? b.or(b.nextAddr(), b.k(1)) : b.nextAddr();
}

/** B/BL/BLX imm: target precomputed at decode time; link: 0 none, 1 BL, 2 BLX (switch set). */
export const B_IMM = defineInsn("b_imm", { link: 3, t: 2 }, ["target"], (b, p, f) => {
  if (p.link) b.setReg(b.k(14), linkValue(b, p.t!));
  if (p.link === 2) b.bx(f.target!);
  else b.branch(f.target!);
});

/** BX / BLX register (BXJ behaves as BX: no Jazelle). */
export const BX_REG = defineInsn("bx_reg", { link: 2, t: 2 }, ["rm"], (b, p, f) => {
  const t = b.reg(f.rm!);
  if (p.link) b.setReg(b.k(14), linkValue(b, p.t!));
  b.bx(t);
});

const sext = (v: number, bits: number) => (v << (32 - bits)) >> (32 - bits);

// A32: target = PC + 8 + imm24*4, given relative to the instruction (see Decoded.rel).
enc("A32", "cccc 1010 iiii iiii iiii iiii iiii iiii", (x) => ({
  def: B_IMM,
  p: { link: 0 },
  f: { target: sext(x.i!, 24) * 4 + 8 },
  rel: ["target"],
  ends: true,
}));
enc("A32", "cccc 1011 iiii iiii iiii iiii iiii iiii", (x) => ({
  def: B_IMM,
  p: { link: 1 },
  f: { target: sext(x.i!, 24) * 4 + 8 },
  rel: ["target"],
  ends: true,
}));
enc("A32", "1111 101h iiii iiii iiii iiii iiii iiii", (x) => ({
  def: B_IMM,
  p: { link: 2 },
  f: { target: (sext(x.i!, 24) * 4 + x.h! * 2 + 8) | 1 },
  rel: ["target"],
  ends: true,
}));
enc("A32", "cccc 0001 0010 1111 1111 1111 0001 mmmm", (x) => ({
  def: BX_REG,
  p: { link: 0 },
  f: { rm: x.m! },
  ends: true,
}));
enc("A32", "cccc 0001 0010 1111 1111 1111 0010 mmmm", (x) => ({
  def: BX_REG,
  p: { link: 0 },
  f: { rm: x.m! },
  ends: true,
}));
enc("A32", "cccc 0001 0010 1111 1111 1111 0011 mmmm", (x) =>
  x.m === 15 ? "unpred" : { def: BX_REG, p: { link: 1 }, f: { rm: x.m! }, ends: true },
);
