// Dispatch numbers. The forms that dominate real code are executed inline in a dense
// switch in execOps (V8 turns it into a jump table and the bodies need no call); all
// others are called through the OPS table. Opcodes are renumbered so the hot ones are
// 1..N: the block builder stores DISPATCH[opcode] in each op.

import { DEFS, opcodeCount, paramCombos } from "../sem/defs.js";
import "../sem/all.js";

// AND EOR SUB RSB ADD ADC SBC RSC TST TEQ CMP CMN ORR MOV BIC MVN = 0..15 (sem/dp.ts Op)
const AND = 0;
const EOR = 1;
const SUB = 2;
const ADD = 4;
const TST = 8;
const CMP = 10;
const CMN = 11;
const ORR = 12;
const MOV = 13;
const BIC = 14;
/** Flag-setting forms kept inline (immediate operand; register operand without shift). */
const S_IMM = new Set([AND, SUB, ADD, TST, CMP, CMN]);
const S_REG = new Set([AND, SUB, ADD, TST, CMP, ORR]);
/** Shifted-register forms kept inline (without flags). */
const SHIFTED = new Set([AND, EOR, SUB, ADD, ORR, MOV, BIC]);

/**
 * The inline set is kept small on purpose (~110 case bodies): V8 compiles execOps as
 * one function, and its size sets how long TurboFan takes (on the second core, while
 * the guest runs unoptimized), how well it allocates registers, and whether the small
 * CPU methods the cases call (ld32, st32, ...) still fit its inlining budget. These are
 * the forms that make up nearly all of the instructions of a Linux boot (counted per
 * form): the others cost a call through OPS.
 */
export function isHot(name: string, p: Record<string, number>): boolean {
  switch (name) {
    case "dp_imm":
      return p.dst === 0 && p.op !== 16 && (p.s === 0 || S_IMM.has(p.op!));
    case "dp_reg":
      if (p.dst !== 0 || p.op === 16) return false;
      // sh: NONE, LSL, LSR, ASR (sem/common.ts Sh)
      return p.sh === 0 ? p.s === 0 || S_REG.has(p.op!) : p.sh! <= 3 && p.s === 0 && SHIFTED.has(p.op!);
    case "b_imm":
      return p.link !== 2;
    case "bx_reg":
      return true;
    case "ld_lit":
      return p.op === 3; // LDR
    case "ldst_imm":
      return p.am! <= 2 && p.op! <= 5; // OFF/PRE/POST; STR..LDRH
    case "ldst_reg":
      return p.am === 0 && p.add === 1 && p.sh! <= 1 && p.op! <= 5;
    case "mul":
      return p.s === 0 && p.op === 0; // MUL
    case "mull":
      return p.s === 0; // UMULL UMLAL SMULL SMLAL
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
