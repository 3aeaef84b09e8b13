// Runtime helpers for the system instructions (src/sem/system.ts): PSR transfers, CPS,
// SETEND, SRS/RFE, exception-generating instructions (HVC/SMC/ERET, PSCI), WFI and the
// coprocessor interface (MRC/MCR/MRRC/MCRR into runtime/sysregs.ts).
//
// Conventions: inside a helper cpu.R[15] holds the instruction's PC read value. Helpers
// called with b.callMayExit return 1 when they changed control flow (R[15] = next PC,
// e.g. after raising an exception) and 0 to continue with the next instruction.

import { HCR, type SysregDef, sysregByIndex } from "../../../runtime/sysregs.js";
import { type Cpu, EC, Exc, HSR_IL, HVEC, ISS_CV_AL, MF_ALIGNED } from "../../cpu/cpu.js";
import { BANK, isValidMode, Mode, PSR, r13Slot, r14Slot, S, spsrSlot } from "../../cpu/state.js";
import { curInsnAddr } from "./core.js";

/**
 * Whether the core implements EL2 (Hyp mode). QEMU -M virt without virtualization=on
 * has neither EL2 nor EL3: HVC is UNDEFINED (except PSCI calls), SMC is UNDEFINED,
 * banked-register MRS/MSR are UNDEFINED. The Hyp issue turns this on.
 */
export function hasEL2(cpu: Cpu): boolean {
  return cpu.el2;
}

/** The CPSR bits that exist on a Cortex-A15 (QEMU's aarch32_cpsr_valid_mask). */
export const CPSR_VALID = 0xff1fffff;
/** Execution-state bits (T, IT, J, IL): not writable by MSR CPSR. */
const CPSR_EXEC = PSR.T | PSR.J | (3 << 25) | (0x3f << 10) | (1 << 20);
/** The bits MSR may write from User mode: NZCVQ, GE, E. */
const CPSR_USER = 0xf80f0200;

/** Raise the Undefined Instruction exception for the executing instruction. */
export function raiseUndef(cpu: Cpu): number {
  const a = curInsnAddr(cpu);
  cpu.takeException(Exc.UNDEF, (a + (cpu.thumb ? 2 : 4)) | 0);
  return 1;
}

/** Next instruction address (fall-through) given the instruction length in bytes. */
function nextPC(cpu: Cpu, len: number): number {
  return (curInsnAddr(cpu) + len) | 0;
}

/**
 * Is a mode change to `m` by an instruction (MSR/CPS; exception return when eret)
 * illegal? QEMU's bad_mode_switch: unknown encodings, Hyp without EL2 or from below
 * Hyp, Monitor without EL3; MSR/CPS may not enter or leave Hyp.
 */
export function badModeSwitch(cpu: Cpu, m: number, eret: boolean): boolean {
  const cur = cpu.mode;
  if (!eret && (cur === Mode.HYP || m === Mode.HYP)) return true;
  if (!isValidMode(m)) return true;
  if (m === Mode.HYP) return !hasEL2(cpu) || cur !== Mode.HYP;
  if (m === Mode.MON) return true; // no EL3
  return false;
}

/**
 * Write CPSR bits under `mask` as an instruction does (QEMU cpsr_write ByInstr /
 * ExceptionReturn): an illegal mode change leaves M unchanged and writes the rest.
 */
export function writeCPSRMasked(cpu: Cpu, v: number, mask: number, eret: boolean): void {
  const old = cpu.getCPSR();
  if (((old ^ v) & mask & PSR.M) !== 0 && badModeSwitch(cpu, v & PSR.M, eret)) mask &= ~PSR.M;
  cpu.setCPSR(((old & ~mask) | (v & mask)) >>> 0);
}

/** MSR field mask (bits 0..3 = c x s f) as a CPSR/SPSR byte mask. */
export function msrMask(cpu: Cpu, fields: number, spsr: boolean): number {
  let m = 0;
  if (fields & 1) m |= 0xff;
  if (fields & 2) m |= 0xff00;
  if (fields & 4) m |= 0xff0000;
  if (fields & 8) m |= 0xff000000;
  m &= CPSR_VALID;
  if (!spsr) m &= ~CPSR_EXEC;
  if (cpu.mode === Mode.USR) m &= CPSR_USER;
  return m;
}

/** The SPSR of the current mode; System mode has a (UNPREDICTABLE-use) slot as in QEMU. */
function spsrIndex(mode: number): number {
  const s = spsrSlot(mode);
  return s >= 0 ? s : SYS_SPSR_SLOT;
}
/** QEMU keeps an SPSR for User/System (banked_spsr[0]); we keep it in a spare slot. */
const SYS_SPSR_SLOT = S.SPSR / 4 + 7;

// ---- PSCI (QEMU's built-in firmware on -M virt, conduit HVC without EL2/EL3) ---------

const PSCI_RET_NOT_SUPPORTED = -1;
const PSCI_RET_INVALID_PARAMS = -2;
const PSCI_RET_ALREADY_ON = -4;

/** Function IDs PSCI_FEATURES reports as implemented (QEMU 7.2). */
const PSCI_FEATURES = new Set([
  0x84000000, 0x84000006, 0x84000004, 0xc4000004, 0x84000009, 0x84000008, 0x95c1ba60, 0x84000003, 0xc4000003,
  0x95c1ba5f, 0x84000002, 0x95c1ba5e, 0x84000001, 0xc4000001, 0x8400000a,
]);

/**
 * Perform a PSCI call (r0 = function, r1..r3 args) as QEMU 7.2 does: every HVC on the
 * HVC conduit is a PSCI call; unknown functions and SMC64 IDs return NOT_SUPPORTED.
 * One core with MPIDR affinity 0.
 */
function psciCall(cpu: Cpu): void {
  const fn = cpu.R[0]! >>> 0;
  let ret = PSCI_RET_NOT_SUPPORTED;
  if ((fn & 0x40000000) === 0) {
    switch (fn) {
      case 0x84000000: // PSCI_VERSION
        ret = 0x00010001; // 1.1
        break;
      case 0x84000006: // MIGRATE_INFO_TYPE: no trusted OS
        ret = 2;
        break;
      case 0x84000004: // AFFINITY_INFO
        if (cpu.R[2] !== 0) ret = 0;
        else ret = cpu.R[1] === 0 ? 0 : PSCI_RET_INVALID_PARAMS;
        break;
      case 0x84000009: // SYSTEM_RESET: we stop (as QEMU -no-reboot would)
      case 0x84000008: // SYSTEM_OFF
      case 0x95c1ba5f: // CPU_OFF (0.1, 0.2) of the only core
      case 0x84000002:
        cpu.halted = true;
        cpu.exitCode = 0;
        return;
      case 0x95c1ba60: // CPU_ON (0.1, 0.2)
      case 0x84000003:
        ret = cpu.R[1] === 0 ? PSCI_RET_ALREADY_ON : PSCI_RET_INVALID_PARAMS;
        break;
      case 0x95c1ba5e: // CPU_SUSPEND (0.1, 0.2): WFI
      case 0x84000001:
        if (cpu.R[1]! & 0xfffe0000) ret = PSCI_RET_INVALID_PARAMS;
        else {
          ret = 0;
          waitForInterrupt(cpu);
        }
        break;
      case 0x8400000a: // PSCI_FEATURES
        ret =
          PSCI_FEATURES.has(cpu.R[1]! >>> 0) && (cpu.R[1]! & 0x40000000) === 0 ? 0 : PSCI_RET_NOT_SUPPORTED;
        break;
      default: // MIGRATE and everything else
        break;
    }
  }
  cpu.R[0] = ret;
}

/** WFI (and PSCI CPU_SUSPEND): the run loop waits (issue 3: Interpreter.waitForInterrupt). */
function waitForInterrupt(cpu: Cpu): void {
  cpu.wfiPending = true;
}

// ---- banked registers (MRS/MSR <banked_reg>, ARMv7 VE) ------------------------------

/** Decode R:SYSm into target mode and register (8..14, 16 = SPSR, 17 = ELR_hyp); null if unallocated. */
export function bankedDecode(r: number, sysm: number): { mode: number; reg: number } | null {
  if (r) {
    const modes: Record<number, number> = {
      14: Mode.FIQ,
      16: Mode.IRQ,
      18: Mode.SVC,
      20: Mode.ABT,
      22: Mode.UND,
      28: Mode.MON,
      30: Mode.HYP,
    };
    const m = modes[sysm];
    return m === undefined ? null : { mode: m, reg: 16 };
  }
  if (sysm <= 6) return { mode: Mode.USR, reg: sysm + 8 };
  if (sysm >= 8 && sysm <= 0xe) return { mode: Mode.FIQ, reg: sysm };
  const pairs: Record<number, number> = {
    16: Mode.IRQ,
    18: Mode.SVC,
    20: Mode.ABT,
    22: Mode.UND,
    28: Mode.MON,
  };
  const base = sysm & ~1;
  if (pairs[base] !== undefined) return { mode: pairs[base]!, reg: sysm & 1 ? 13 : 14 };
  if (base === 0x1e) return { mode: Mode.HYP, reg: sysm & 1 ? 13 : 17 };
  return null;
}

/** QEMU's checks for a banked access from the current mode; false = UNDEFINED. */
function bankedAccessOk(cpu: Cpu, mode: number, reg: number): boolean {
  const cur = cpu.mode;
  if (!hasEL2(cpu) || cur === Mode.USR) return false;
  // translate-time checks: Monitor registers need EL3; Hyp ones only ELR_hyp from Hyp
  if (mode === Mode.MON) return false;
  if (mode === Mode.HYP && (cur !== Mode.HYP || reg !== 17)) return false;
  // run-time checks (BankedRegisterAccessValid)
  if (reg === 17) return cur === Mode.HYP || cur === Mode.MON;
  if (cur === mode) return false;
  if (mode === Mode.USR) {
    if (reg <= 12 && cur !== Mode.FIQ) return false;
    if (reg === 13 && cur === Mode.SYS) return false;
    if (reg === 14 && (cur === Mode.HYP || cur === Mode.SYS)) return false;
  }
  return true;
}

/** Word index of a banked register of another mode (mode != current). */
function bankedSlot(_cpu: Cpu, mode: number, reg: number): number {
  if (reg === 16) return spsrSlot(mode);
  if (reg === 17) return BANK.HYP_R13 + 1;
  if (mode === Mode.FIQ) return BANK.FIQ_R8 + (reg - 8);
  if (reg <= 12) return BANK.USR_R8 + (reg - 8);
  return reg === 13 ? r13Slot(mode) : r14Slot(mode);
}

/**
 * Is the banked copy of (mode, reg) currently live in cpu.R? True for r8-r12 of
 * usr when not in FIQ mode (shared), r14_usr from Hyp mode (shared).
 */
function bankedLive(cpu: Cpu, mode: number, reg: number): boolean {
  if (reg >= 16) return false;
  const cur = cpu.mode;
  if (mode === Mode.USR && reg <= 12) return cur !== Mode.FIQ;
  if (mode === Mode.USR && reg === 14) return cur === Mode.HYP;
  return false;
}

// ---- SRS / RFE ---------------------------------------------------------------------

/** amode (P:U) 0 DA, 1 IA, 2 DB, 3 IB: offset of the lower word from Rn. */
const PRE = [-4, 0, -8, 4];
const POST = [-8, 4, -4, 0];

export const systemHelpers = {
  /** MRS Rd, SPSR (UNDEFINED in User mode, as QEMU). */
  mrsSpsr(cpu: Cpu, rd: number): number {
    if (cpu.mode === Mode.USR) return raiseUndef(cpu);
    cpu.R[rd] = cpu.W[spsrIndex(cpu.mode)]!;
    return 0;
  },

  /** MSR CPSR/SPSR: spsr 0/1, fields = mask bits (c x s f), v = value. */
  msr(cpu: Cpu, spsr: number, fields: number, v: number): number {
    const mask = msrMask(cpu, fields, spsr !== 0);
    if (spsr) {
      if (cpu.mode === Mode.USR) return raiseUndef(cpu);
      const i = spsrIndex(cpu.mode);
      cpu.W[i] = (cpu.W[i]! & ~mask) | (v & mask);
      return 0;
    }
    writeCPSRMasked(cpu, v, mask, false);
    return 0;
  },

  /** CPS: imod (2 = enable, 3 = disable), aif bits 2..0, m = change mode, mode. No effect in User mode. */
  cps(cpu: Cpu, imod: number, aif: number, m: number, mode: number): number {
    if (cpu.mode === Mode.USR) return 0;
    let mask = 0;
    let val = 0;
    if (imod & 2) {
      if (aif & 4) mask |= PSR.A;
      if (aif & 2) mask |= PSR.I;
      if (aif & 1) mask |= PSR.F;
      if (imod & 1) val |= mask;
    }
    if (m) {
      mask |= PSR.M;
      val |= mode;
    }
    if (mask) writeCPSRMasked(cpu, val, mask, false);
    return 0;
  },

  /** SETEND BE/LE. */
  setend(cpu: Cpu, e: number): number {
    const W = cpu.W;
    W[S.CPSR >> 2] = e ? W[S.CPSR >> 2]! | PSR.E : W[S.CPSR >> 2]! & ~PSR.E;
    cpu.bigEndian = e !== 0;
    return 0;
  },

  /** MRS Rd, <banked_reg> (r:sysm packed as r << 5 | sysm). */
  mrsBanked(cpu: Cpu, rd: number, rsysm: number): number {
    const d = bankedDecode(rsysm >> 5, rsysm & 31);
    if (!d || !bankedAccessOk(cpu, d.mode, d.reg)) return raiseUndef(cpu);
    cpu.R[rd] = bankedLive(cpu, d.mode, d.reg) ? cpu.R[d.reg]! : cpu.W[bankedSlot(cpu, d.mode, d.reg)]!;
    return 0;
  },

  /** MSR <banked_reg>, Rn. */
  msrBanked(cpu: Cpu, rsysm: number, v: number): number {
    const d = bankedDecode(rsysm >> 5, rsysm & 31);
    if (!d || !bankedAccessOk(cpu, d.mode, d.reg)) return raiseUndef(cpu);
    if (bankedLive(cpu, d.mode, d.reg)) cpu.R[d.reg] = v;
    else cpu.W[bankedSlot(cpu, d.mode, d.reg)] = v;
    return 0;
  },

  /** SRS{DA,IA,DB,IB} SP_<mode>{!}: store LR and SPSR of the current mode. */
  srs(cpu: Cpu, mode: number, amode: number, wback: number): number {
    const cur = cpu.mode;
    if (cur === Mode.USR || cur === Mode.HYP || cur === Mode.SYS) return raiseUndef(cpu);
    switch (mode) {
      case Mode.USR:
      case Mode.FIQ:
      case Mode.IRQ:
      case Mode.SVC:
      case Mode.ABT:
      case Mode.UND:
      case Mode.SYS:
        break;
      default: // Hyp from PL1, Monitor without EL3, invalid
        return raiseUndef(cpu);
    }
    const spSlot = mode === cur ? -1 : r13Slot(mode);
    const sp = spSlot < 0 ? cpu.R[13]! : cpu.W[spSlot]!;
    const a = (sp + PRE[amode]!) | 0;
    cpu.st32(a, cpu.R[14]!, MF_ALIGNED);
    cpu.st32((a + 4) | 0, cpu.W[spsrIndex(cur)]!, MF_ALIGNED);
    if (wback) {
      const nsp = (a + 4 + POST[amode]!) | 0;
      if (spSlot < 0) cpu.R[13] = nsp;
      else cpu.W[spSlot] = nsp;
    }
    return 0;
  },

  /** RFE{DA,IA,DB,IB} Rn{!}: load PC and CPSR (exception return). */
  rfe(cpu: Cpu, rn: number, amode: number, wback: number): number {
    if (cpu.mode === Mode.USR) return raiseUndef(cpu);
    const a = (cpu.R[rn]! + PRE[amode]!) | 0;
    const pc = cpu.ld32(a, MF_ALIGNED);
    const psr = cpu.ld32((a + 4) | 0, MF_ALIGNED);
    if (wback) cpu.R[rn] = (a + 4 + POST[amode]!) | 0;
    exceptionReturnTo(cpu, pc, psr);
    return 1;
  },

  /** ERET (ARMv7 VE): from PL1 it is SUBS PC, LR, #0; UNDEFINED in User mode. */
  eret(cpu: Cpu): number {
    const m = cpu.mode;
    if (m === Mode.USR) return raiseUndef(cpu);
    if (m === Mode.HYP) {
      exceptionReturnTo(cpu, cpu.W[BANK.HYP_R13 + 1]!, cpu.W[spsrIndex(m)]!);
      return 1;
    }
    exceptionReturnTo(cpu, cpu.R[14]!, cpu.W[spsrIndex(m)]!);
    return 1;
  },

  /** ALUExceptionReturn (SUBS PC, LR / MOVS PC, ...): UNDEFINED in User and Hyp mode (QEMU). */
  aluExceptionReturn(cpu: Cpu, v: number): number {
    const m = cpu.mode;
    if (m === Mode.USR || m === Mode.HYP) return raiseUndef(cpu);
    exceptionReturnTo(cpu, v, cpu.W[spsrIndex(m)]!);
    return 1;
  },

  /**
   * HVC #imm: UNDEFINED at PL0. Without EL2, QEMU -M virt uses HVC as the PSCI conduit
   * and treats every HVC from PL1 as a PSCI call (r0 = result), never UNDEFINED.
   * (issue 4) With EL2: the Hypervisor Call exception (EC
   * 0x12, ISS = imm16), taken at HVBAR + 0x14 from PL1 and + 0x08 from Hyp mode, with
   * ELR_hyp = the next instruction.
   */
  hvc(cpu: Cpu, imm: number): number {
    if (cpu.mode === Mode.USR) return raiseUndef(cpu);
    const next = nextPC(cpu, 4);
    if (!hasEL2(cpu)) {
      psciCall(cpu);
      cpu.R[15] = next;
      return 1;
    }
    cpu.enterHyp(
      cpu.mode === Mode.HYP ? HVEC.HVC : HVEC.TRAP,
      next,
      ((EC.HVC << 26) | HSR_IL | (imm & 0xffff)) >>> 0,
    );
    return 1;
  },

  /**
   * SMC #imm: UNDEFINED without EL2 (the board's PSCI conduit is HVC then). (issue 4) With
   * EL2 and no EL3 the board's PSCI conduit is SMC (QEMU virt,virtualization=on): a PL1 SMC
   * traps to Hyp mode when HCR.TSC (EC 0x13, ELR_hyp = the SMC), otherwise it is a PSCI call.
   */
  smc(cpu: Cpu, _imm: number): number {
    const m = cpu.mode;
    if (!hasEL2(cpu) || m === Mode.USR) return raiseUndef(cpu);
    if (m !== Mode.HYP && cpu.sys.hcr & HCR.TSC) {
      cpu.hypTrap(EC.SMC, 0, curInsnAddr(cpu), true);
      return 1;
    }
    psciCall(cpu);
    cpu.R[15] = nextPC(cpu, 4);
    return 1;
  },

  /**
   * WFI: continue with the next instruction (the run loop may sleep until an interrupt).
   * (issue 4) Trapped to Hyp mode from PL0/PL1 by HCR.TWI (EC 0x01, ISS.TI = 0) when it
   * would suspend: not when an interrupt input is asserted, masked or not (as QEMU).
   */
  wfi(cpu: Cpu, next: number): number {
    if (cpu.intLines === 0 && wfxTrapped(cpu, HCR.TWI, 0)) return 1;
    waitForInterrupt(cpu);
    cpu.R[15] = next;
    return 1;
  },

  /** WFE: a NOP for one core without events to wait for; (issue 4) HCR.TWE traps it (ISS.TI = 1). */
  wfe(cpu: Cpu): number {
    return wfxTrapped(cpu, HCR.TWE, 1) ? 1 : 0;
  },

  /** MRC: idx = sysreg table index (-1 unknown), rt 15 = APSR.NZCV. */
  mrc(cpu: Cpu, idx: number, rt: number): number {
    const d = sysregByIndex(idx);
    const pl = cpu.pl;
    if (!d || !cpu.sys.allowed(d, pl, false)) return raiseUndef(cpu);
    if (pl < 2 && cpu.el2 && cpu.sys.trapped(d, false)) return coprocTrap(cpu, d, true);
    const v = cpu.sys.read(d, pl)!;
    if (rt === 15) {
      const W = cpu.W;
      W[S.NF >> 2] = v & PSR.N;
      W[S.ZF >> 2] = v & PSR.Z ? 0 : 1;
      W[S.CF >> 2] = (v >>> 29) & 1;
      W[S.VF >> 2] = (v << 3) & 0x80000000;
    } else cpu.R[rt] = v;
    return 0;
  },

  /** MCR: idx = sysreg table index (-1 unknown). */
  mcr(cpu: Cpu, idx: number, v: number): number {
    const d = sysregByIndex(idx);
    const pl = cpu.pl;
    if (!d || !cpu.sys.allowed(d, pl, true)) return raiseUndef(cpu);
    if (pl < 2 && cpu.el2 && cpu.sys.trapped(d, true)) return coprocTrap(cpu, d, false);
    cpu.sys.write(d, v, pl);
    return 0;
  },

  /** MRRC: Rt gets the low word, Rt2 the high word. */
  mrrc(cpu: Cpu, idx: number, rt: number, rt2: number): number {
    const d = sysregByIndex(idx);
    const pl = cpu.pl;
    if (!d || !cpu.sys.allowed(d, pl, false)) return raiseUndef(cpu);
    if (pl < 2 && cpu.el2 && cpu.sys.trapped(d, false)) return coprocTrap(cpu, d, true);
    const v = cpu.sys.read64(d, pl)!;
    cpu.R[rt] = v[0];
    cpu.R[rt2] = v[1];
    return 0;
  },

  /** MCRR: lo = Rt, hi = Rt2. */
  mcrr(cpu: Cpu, idx: number, lo: number, hi: number): number {
    const d = sysregByIndex(idx);
    const pl = cpu.pl;
    if (!d || !cpu.sys.allowed(d, pl, true)) return raiseUndef(cpu);
    if (pl < 2 && cpu.el2 && cpu.sys.trapped(d, true)) return coprocTrap(cpu, d, false);
    cpu.sys.write64(d, lo, hi, pl);
    return 0;
  },
};

/** (issue 4) WFI/WFE from PL0/PL1 with the HCR trap bit set: Hyp Trap, EC 0x01. */
function wfxTrapped(cpu: Cpu, bit: number, ti: number): boolean {
  if (!cpu.el2 || cpu.pl === 2 || !(cpu.sys.hcr & bit)) return false;
  const a = curInsnAddr(cpu);
  cpu.hypTrap(EC.WFX, ISS_CV_AL | ti, a, cpu.insnIs32(a));
  return true;
}

/**
 * (issue 4) A trapped MCR/MRC/MCRR/MRRC (B3.13.6): EC by coprocessor and form, ISS with
 * the encoding and the transfer registers (Rt, Rt2) taken from the instruction itself;
 * the instruction word has the same field layout in A32 and T32.
 */
function coprocTrap(cpu: Cpu, d: SysregDef, read: boolean): number {
  const a = curInsnAddr(cpu);
  const insn = cpu.thumb ? ((cpu.fetch16(a) << 16) | cpu.fetch16(a + 2)) >>> 0 : cpu.fetch32(a);
  const rt = (insn >>> 12) & 0xf;
  let ec: number;
  let iss: number;
  if (d.is64) {
    ec = d.cp === 15 ? EC.CP15_64 : EC.CP14_64;
    iss = (d.opc1 << 16) | (((insn >>> 16) & 0xf) << 10) | (rt << 5) | (d.crm << 1);
  } else {
    ec = d.cp === 15 ? EC.CP15_32 : EC.CP14_32;
    iss = (d.opc2 << 17) | (d.opc1 << 14) | (d.crn << 10) | (rt << 5) | (d.crm << 1);
  }
  cpu.hypTrap(ec, ISS_CV_AL | iss | (read ? 1 : 0), a, true);
  return 1;
}

/** CPSR <- psr (exception-return rules), PC <- pc aligned for the new state. */
export function exceptionReturnTo(cpu: Cpu, pc: number, psr: number): void {
  writeCPSRMasked(cpu, psr, CPSR_VALID, true);
  cpu.R[15] = cpu.thumb ? pc & ~1 : pc & ~3;
}
