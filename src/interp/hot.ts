// Dispatch numbers. The forms that dominate real code are executed inline in a dense
// switch in execOps (V8 turns it into a jump table and the bodies need no call); all
// others are called through the OPS table. Opcodes are renumbered so the hot ones are
// 1..N: the block builder stores DISPATCH[opcode] in each op.

import { DEFS, opcodeCount, paramCombos } from "../sem/defs.js";
import "../sem/all.js";

export function isHot(name: string, p: Record<string, number>): boolean {
  switch (name) {
    case "dp_imm":
      return p.dst === 0 && p.op !== 16;
    case "dp_reg":
      return p.dst === 0 && p.op !== 16 && p.sh! <= 3;
    case "b_imm":
    case "bx_reg":
    case "ld_lit":
      return true;
    case "ldst_imm":
      return p.am! <= 2 && p.op !== 8;
    case "ldst_reg":
      return p.am === 0 && p.add === 1 && p.sh! <= 1 && p.op !== 8;
    default:
      return false;
  }
}

function buildDispatch(): Uint16Array {
  const d = new Uint16Array(opcodeCount());
  let next = 1;
  for (const pass of [true, false])
    for (const def of DEFS) {
      let op = def.base;
      for (const p of paramCombos(def)) {
        if (isHot(def.name, p) === pass) d[op] = next++;
        op++;
      }
    }
  return d;
}

/** opcode -> dispatch number. */
export const DISPATCH = buildDispatch();
