// Runtime helpers for loads and stores: LDM/STM (all forms) and the exclusive monitor.

import { type Cpu, Exc, GuestAbort, MF_ALIGNED } from "../../cpu/cpu.js";
import { BANK, Mode, S } from "../../cpu/state.js";
import { blockBaseDelta, blockStartOffset } from "../common.js";
import { coreHelpers } from "./core.js";

// flag bits of the ldm/stm helpers (see BLK_* in sem/ldst.ts)
const WB = 4;
const USER = 8;
const ERET = 16;

/** Values recorded by the last load-exclusive (QEMU compares them in the store). */
interface ExclVals {
  lo: number;
  hi: number;
}
const exclVals = new WeakMap<Cpu, ExclVals>();

function popcount16(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

/** Lowest address of a block transfer of n words (mode = P:U). */
function blockStart(base: number, mode: number, n: number): number {
  return (base + blockStartOffset(mode, n)) | 0;
}

/** Base after writeback. */
function blockNewBase(base: number, mode: number, n: number): number {
  return (base + blockBaseDelta(mode, n)) | 0;
}

/** Mode where the user-register forms (LDM^/STM^) are UNDEFINED (USR; HYP). */
function userFormUndefined(cpu: Cpu): boolean {
  const m = cpu.mode;
  return m === Mode.USR || m === Mode.HYP;
}

/** Read the User-mode copy of register i (0..14) from any privileged mode. */
function getUserReg(cpu: Cpu, i: number): number {
  const m = cpu.mode;
  if (i >= 8 && i <= 14 && m !== Mode.USR && m !== Mode.SYS && (m === Mode.FIQ || i >= 13)) {
    return cpu.W[BANK.USR_R8 + i - 8]!;
  }
  return cpu.R[i]!;
}

function setUserReg(cpu: Cpu, i: number, v: number): void {
  const m = cpu.mode;
  if (i >= 8 && i <= 14 && m !== Mode.USR && m !== Mode.SYS && (m === Mode.FIQ || i >= 13)) {
    cpu.W[BANK.USR_R8 + i - 8] = v;
  } else cpu.R[i] = v;
}

function alignAbort(addr: number, write: boolean): never {
  throw new GuestAbort(Exc.DABT, 0x01, addr, write);
}

export const ldstHelpers = {
  /**
   * LDM (all forms). As QEMU does, registers are written as they are loaded, except the
   * base (written last, so a data abort leaves it unchanged) and the PC. Returns 1 when
   * the PC was loaded (or an UNDEFINED exception taken).
   */
  ldm(cpu: Cpu, rn: number, list: number, flags: number): number {
    if (flags & (USER | ERET) && userFormUndefined(cpu)) {
      return coreHelpers.undefinedInsn(cpu, cpu.R[15]!, 0);
    }
    const R = cpu.R;
    const n = popcount16(list);
    const base = R[rn]!;
    const user = (flags & USER) !== 0;
    let baseVal = 0;
    let pc = 0;
    let a = blockStart(base, flags, n);
    for (let i = 0; i < 16; i++) {
      if ((list >> i) & 1) {
        const v = cpu.ld32(a, MF_ALIGNED);
        a = (a + 4) | 0;
        if (user) setUserReg(cpu, i, v);
        else if (i === rn) baseVal = v;
        else if (i === 15) pc = v;
        else R[i] = v;
      }
    }
    if (flags & WB) R[rn] = blockNewBase(base, flags, n);
    else if (!user && (list >> rn) & 1) R[rn] = baseVal;
    if (!((list >> 15) & 1)) return 0;
    if (flags & ERET) return coreHelpers.exceptionReturn(cpu, pc);
    cpu.bxWritePC(pc);
    return 1;
  },

  /** STM (normal and user-register forms). Returns 1 only when UNDEFINED was taken. */
  stm(cpu: Cpu, rn: number, list: number, flags: number): number {
    if (flags & USER && userFormUndefined(cpu)) {
      return coreHelpers.undefinedInsn(cpu, cpu.R[15]!, 0);
    }
    const R = cpu.R;
    const n = popcount16(list);
    const base = R[rn]!;
    const user = (flags & USER) !== 0;
    let a = blockStart(base, flags, n);
    for (let i = 0; i < 16; i++) {
      if ((list >> i) & 1) {
        cpu.st32(a, user && i < 15 ? getUserReg(cpu, i) : R[i]!, MF_ALIGNED);
        a = (a + 4) | 0;
      }
    }
    if (flags & WB) R[rn] = blockNewBase(base, flags, n);
    return 0;
  },

  /** LDREXD requires doubleword alignment. */
  exclCheckAlign8(_cpu: Cpu, addr: number, write: number): number {
    if (addr & 7) alignAbort(addr, write !== 0);
    return 0;
  },

  /** Load-exclusive: mark the address exclusive and remember the loaded value(s). */
  exclMark(cpu: Cpu, addr: number, lo: number, hi: number): number {
    cpu.W[S.EXCL_ADDR >> 2] = addr;
    cpu.W[S.EXCL_STATE >> 2] = 1;
    exclVals.set(cpu, { lo, hi });
    return 0;
  },

  /**
   * Store-exclusive of size sz (0 B, 1 H, 2 W, 3 D), following QEMU's model: with the
   * monitor exclusive for `addr`, memory is compared with the value the load-exclusive
   * read (the low word of it, truncated to the access size) and the store is done when
   * they match; the status is 0 only when the old memory value equals that whole low
   * word (STREXD: both words compared). The monitor is
   * cleared either way. An alignment fault is reported as a read (QEMU's cmpxchg).
   */
  strex(cpu: Cpu, addr: number, lo: number, hi: number, sz: number): number {
    const W = cpu.W;
    const excl = W[S.EXCL_STATE >> 2] !== 0 && W[S.EXCL_ADDR >> 2] === addr;
    W[S.EXCL_STATE >> 2] = 0;
    if (!excl) return 1;
    const old = exclVals.get(cpu) ?? { lo: 0, hi: 0 };
    let cur: number;
    switch (sz) {
      case 0:
        cur = cpu.ld8(addr, 0);
        if (cur === (old.lo & 0xff)) cpu.st8(addr, lo, 0);
        break;
      case 1:
        cur = cpu.ld16(addr, MF_ALIGNED);
        if (cur === (old.lo & 0xffff)) cpu.st16(addr, lo, MF_ALIGNED);
        break;
      case 2:
        cur = cpu.ld32(addr, MF_ALIGNED);
        if (cur === (old.lo | 0)) cpu.st32(addr, lo, MF_ALIGNED);
        break;
      default: {
        if (addr & 7) alignAbort(addr, false);
        const cl = cpu.ld32(addr, MF_ALIGNED);
        const ch = cpu.ld32(addr + 4, MF_ALIGNED);
        if (cl !== (old.lo | 0) || ch !== (old.hi | 0)) return 1;
        cpu.st32(addr, lo, MF_ALIGNED);
        cpu.st32(addr + 4, hi, MF_ALIGNED);
        return 0;
      }
    }
    return (cur | 0) === (old.lo | 0) ? 0 : 1;
  },
};
