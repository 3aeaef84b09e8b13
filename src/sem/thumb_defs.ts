// Thumb-only definitions: IT, CBZ/CBNZ, ADR with Align(PC, 4), TBB/TBH.
//
// Defs and their fields:
//   it        [firstcond, mask]       IT: the interpreter reads the fields at decode time
//                                     (fields[0] = firstcond, fields[1] = mask).
//   t_cbz     {nz}  [rn, target]      CBZ/CBNZ; target is address-relative (rel).
//   t_adr     [rd, base, imm]         rd = Align(base, 4) + imm; base = insn address + 4 (rel).
//   t_tbb     {h}   [rn, rm]          TBB / TBH: branch to PC + 2 * table entry.

import { S } from "../cpu/state.js";
import type { Builder } from "./builder.js";
import { defineInsn } from "./defs.js";

export const T_IT = defineInsn("it", {}, ["firstcond", "mask"], (b, _p, f) => {
  // The following instructions carry their own ITSTATE (set at decode); writing it here
  // keeps the state right when the block ends straight after the IT instruction.
  b.setState(S.IT, b.or(b.shl(f.firstcond!, b.k(4)), f.mask!));
});

export const T_CBZ = defineInsn("t_cbz", { nz: 2 }, ["rn", "target"], (b, p, f) => {
  const v = b.reg(f.rn!);
  b.if(p.nz ? v : b.eqz(v), () => b.branch(f.target!));
});

export function alignPC<V>(b: Builder<V>, base: V): V {
  return b.and(base, b.k(~3));
}

export const T_ADR = defineInsn("t_adr", {}, ["rd", "base", "imm"], (b, _p, f) => {
  b.setReg(f.rd!, b.add(alignPC(b, f.base!), f.imm!));
});

export const T_TBB = defineInsn("t_tbb", { h: 2 }, ["rn", "rm"], (b, p, f) => {
  const base = b.reg(f.rn!);
  const idx = b.reg(f.rm!);
  const e = p.h ? b.load(16, b.add(base, b.shl(idx, b.k(1)))) : b.load(8, b.add(base, idx));
  b.branch(b.add(b.pc(), b.shl(e, b.k(1))));
});
