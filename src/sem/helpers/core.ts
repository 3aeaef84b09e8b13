// Runtime helpers for control flow and exceptions, called from the semantics of both
// tiers. A helper returns non-zero when it changed control flow (R[15] holds the next
// address) so the block ends.

import { type Cpu, EC, Exc, HSR_IL } from "../../cpu/cpu.js";
import { Mode, PSR, S } from "../../cpu/state.js";
import { systemHelpers } from "./system.js";

/** Address of the executing instruction (R[15] holds its PC read value). */
export function curInsnAddr(cpu: Cpu): number {
  return (cpu.R[15]! - (cpu.thumb ? 4 : 8)) | 0;
}

export const coreHelpers = {
  /** An UNDEFINED encoding: take the Undefined Instruction exception. */
  undefinedInsn(cpu: Cpu, _pc: number, _opw: number): number {
    const a = curInsnAddr(cpu);
    cpu.takeException(Exc.UNDEF, (a + (cpu.thumb ? 2 : 4)) | 0);
    return 1;
  },

  /** ALUWritePC: interworking in ARM state, plain branch in Thumb. */
  aluWritePC(cpu: Cpu, v: number): number {
    if (cpu.thumb) cpu.branchWritePC(v);
    else cpu.bxWritePC(v);
    return 1;
  },

  /** SUBS PC, LR and friends: CPSR <- SPSR, then branch (QEMU's rules: see helpers/system.ts). */
  exceptionReturn(cpu: Cpu, v: number): number {
    return systemHelpers.aluExceptionReturn(cpu, v);
  },

  /** SVC #imm (semihosting calls are intercepted when enabled). */
  svc(cpu: Cpu, imm: number): number {
    const a = curInsnAddr(cpu);
    const next = (a + (cpu.thumb ? 2 : 4)) | 0;
    const semi = cpu.semihost;
    if (semi && cpu.mode !== Mode.USR && imm === (cpu.thumb ? 0xab : 0x123456)) {
      cpu.R[15] = next;
      cpu.R[0] = semi.call(cpu, cpu.R[0]! >>> 0, cpu.R[1]! >>> 0);
      return 1;
    }
    // the SPSR holds the ITSTATE of the next instruction (SVC retires; QEMU does the same)
    const it = cpu.W[S.IT >> 2]!;
    if (it !== 0) cpu.W[S.IT >> 2] = (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
    // (issue 4) an SVC in Hyp mode is taken in Hyp mode with HSR EC 0x11
    if (cpu.mode === Mode.HYP)
      cpu.hsrPending = ((EC.SVC_HYP << 26) | (cpu.thumb ? 0 : HSR_IL) | (imm & 0xffff)) >>> 0;
    cpu.takeException(Exc.SVC, next);
    return 1;
  },

  /** BKPT: a debug event taken as a Prefetch Abort (IFSR debug event, as QEMU does). */
  bkpt(cpu: Cpu, _imm: number): number {
    const a = curInsnAddr(cpu);
    cpu.sys.ifsr = 0x2;
    cpu.sys.ifar = 0;
    cpu.takeException(Exc.PABT, (a + 4) | 0);
    return 1;
  },

  /** Read the CPSR for MRS (execution-state bits read as zero). */
  readCPSR(cpu: Cpu): number {
    return cpu.getCPSR() & ~(PSR.T | PSR.J | (3 << 25) | (0x3f << 10));
  },
};
