// The architectural state of one Cortex-A15 core and the operations both execution
// tiers call into: PSR access with register banking, PC writes, memory access through
// the bus, and exception entry.

import { VirtualClock } from "../../runtime/clock.js";
import { ACC_R, ACC_W, Mmu } from "../../runtime/mmu.js";
import { Sysregs } from "../../runtime/sysregs.js";
import { GenericTimer } from "../../runtime/timer.js";
import type { Bus } from "../mem/bus.js";
import { BANK, Mode, PSR, RAM_OFFSET, r13Slot, r14Slot, S, spsrSlot } from "./state.js";

/** Kinds of exception the core can take (AArch32, PL1 target). */
export const Exc = {
  UNDEF: 1,
  SVC: 2,
  PABT: 3,
  DABT: 4,
  IRQ: 5,
  FIQ: 6,
} as const;

/** Cpu.intLines bits (issue 3). */
export const INT_IRQ = 1;
export const INT_FIQ = 2;

export interface Semihost {
  /** Perform semihosting operation `op` with parameter block `param`; returns r0. */
  call(cpu: Cpu, op: number, param: number): number;
}

/** A synchronous abort raised by a memory access; caught by the run loop. */
export class GuestAbort {
  constructor(
    /** Exc.DABT or Exc.PABT. */
    readonly kind: number,
    /** Fault status (short-descriptor FSR encoding). */
    readonly fsr: number,
    readonly far: number,
    readonly write: boolean,
  ) {}
}

/** Memory access flag bits passed by the semantics (see MemOpts). */
export const MF_UNPRIV = 1;
export const MF_ALIGNED = 2;

export class Cpu {
  readonly memory: WebAssembly.Memory;
  /** r0..r15 of the current mode. */
  readonly R: Int32Array;
  /** The whole memory, word indexed (state block at the start). */
  readonly W: Int32Array;
  readonly bus: Bus;
  /** Views and bounds for the RAM fast paths (see ld32). */
  private readonly u8: Uint8Array;
  private readonly u32: Int32Array;
  private readonly codePages: Uint8Array;
  private readonly ramSize: number;
  /** RAM base for the identity-mapped fast path; NaN disables it (MMU on: issue 3). */
  fastBase: number;
  readonly sys: Sysregs;
  /**
   * Retired guest instructions (exact below 2^53). A JS number, not a state-block word:
   * the run loop adds to it once per block.
   */
  icount = 0;
  /** Arena index of the op that was executing when a fault was thrown (set by execOps). */
  faultOp = 0;
  /** Stage-1 MMU (issue 3, runtime/mmu.ts); mmuOn mirrors SCTLR.M. */
  readonly mmu: Mmu;
  mmuOn = false;
  /** VA of the last translated data access (the DFAR of an external abort with the MMU on). */
  lastVa = 0;
  /** CPSR.E cached: data accesses are big-endian. */
  bigEndian = false;
  /** Set by a helper to ask the run loop to stop (semihosting exit, WFI with nothing to do). */
  halted = false;
  exitCode = 0;
  /** The core implements EL2 (Hyp mode); false on the plain virt board (issue 4 turns it on). */
  el2 = false;
  /** Set by WFI; the run loop may sleep until an interrupt is pending (issue 3). */
  wfiPending = false;
  /**
   * Interrupt inputs (issue 3), driven by the GIC CPU interface: INT_IRQ | INT_FIQ.
   * The run loop tests this once per block and takes the exception when unmasked.
   */
  intLines = 0;
  /** Virtual time (from the instruction count) and the generic timer (issue 3). */
  readonly clock: VirtualClock;
  readonly timer: GenericTimer;
  /** ARM semihosting, when enabled (intercepts SVC 0x123456 / 0xAB from PL1). */
  semihost: Semihost | null = null;

  constructor(bus: Bus) {
    this.bus = bus;
    this.memory = bus.memory;
    this.W = new Int32Array(this.memory.buffer);
    this.R = new Int32Array(this.memory.buffer, S.R, 16);
    this.u8 = bus.u8;
    this.u32 = bus.u32;
    this.codePages = bus.codePages;
    this.ramSize = bus.ramSize;
    this.fastBase = bus.ramBase;
    this.sys = new Sysregs(this);
    // MMU (issue 3): faults become GuestAborts; while it is on, the VA == PA fast path is off
    this.mmu = new Mmu({
      bus,
      abort: (prefetch, fsr, va, write) => {
        throw new GuestAbort(prefetch ? Exc.PABT : Exc.DABT, fsr, va, write);
      },
      mmuEnabled: (on) => {
        this.mmuOn = on;
        this.fastBase = on ? Number.NaN : bus.ramBase;
      },
    });
    this.sys.tlbHook = (crm, opc2, v) => this.mmu.tlbOp(crm, opc2, v);
    this.clock = new VirtualClock(this);
    this.timer = new GenericTimer(this, this.clock);
    this.reset();
  }

  reset(): void {
    this.W.fill(0, 0, S.END >> 2);
    this.icount = 0;
    this.W[S.CPSR >> 2] = Mode.SVC | PSR.A | PSR.I | PSR.F;
    this.W[S.ZF >> 2] = 1;
    this.bigEndian = false;
    this.sys.reset();
    this.clock.reset(); // (issue 3)
    this.timer.reset();
  }

  // ---- PSR -------------------------------------------------------------------------

  get mode(): number {
    return this.W[S.CPSR >> 2]! & 0x1f;
  }
  get thumb(): boolean {
    return (this.W[S.CPSR >> 2]! & PSR.T) !== 0;
  }

  condPass(cond: number): boolean {
    const W = this.W;
    switch (cond >> 1) {
      case 0:
        return (W[S.ZF >> 2] === 0) !== ((cond & 1) === 1); // EQ / NE
      case 1:
        return (W[S.CF >> 2] !== 0) !== ((cond & 1) === 1); // CS / CC
      case 2:
        return W[S.NF >> 2]! < 0 !== ((cond & 1) === 1); // MI / PL
      case 3:
        return W[S.VF >> 2]! < 0 !== ((cond & 1) === 1); // VS / VC
      case 4:
        return (W[S.CF >> 2] !== 0 && W[S.ZF >> 2] !== 0) !== ((cond & 1) === 1); // HI / LS
      case 5:
        return (W[S.NF >> 2]! < 0 === W[S.VF >> 2]! < 0) !== ((cond & 1) === 1); // GE / LT
      case 6:
        return (W[S.ZF >> 2] !== 0 && W[S.NF >> 2]! < 0 === W[S.VF >> 2]! < 0) !== ((cond & 1) === 1); // GT / LE
      default:
        return true; // AL (and 1111 where it reaches here)
    }
  }

  getCPSR(): number {
    const W = this.W;
    const it = W[S.IT >> 2]!;
    return (
      ((W[S.NF >> 2]! & 0x80000000) |
        (W[S.ZF >> 2] === 0 ? PSR.Z : 0) |
        (W[S.CF >> 2] ? PSR.C : 0) |
        ((W[S.VF >> 2]! >>> 31) << 28) |
        (W[S.QF >> 2] ? PSR.Q : 0) |
        ((it & 3) << 25) |
        ((W[S.GE >> 2]! & 0xf) << 16) |
        ((it >> 2) << 10) |
        W[S.CPSR >> 2]!) >>>
      0
    );
  }

  /** Write the NZCVQ and GE bits (APSR). */
  setAPSR(v: number): void {
    const W = this.W;
    W[S.NF >> 2] = v & PSR.N;
    W[S.ZF >> 2] = v & PSR.Z ? 0 : 1;
    W[S.CF >> 2] = (v >>> 29) & 1;
    W[S.VF >> 2] = (v << 3) & 0x80000000;
    W[S.QF >> 2] = (v >>> 27) & 1;
    W[S.GE >> 2] = (v >>> 16) & 0xf;
  }

  /** Write the whole CPSR (exception return, exception entry), switching banks as needed. */
  setCPSR(v: number): void {
    this.setAPSR(v);
    this.W[S.IT >> 2] = ((v >>> 25) & 3) | (((v >>> 10) & 0x3f) << 2);
    this.setMode(v & 0x1f);
    this.W[S.CPSR >> 2] = v & (0x1f | PSR.T | PSR.F | PSR.I | PSR.A | PSR.E | PSR.J);
    this.bigEndian = (v & PSR.E) !== 0;
  }

  /** Switch the visible register bank to `m` (the CPSR mode bits are updated too). */
  setMode(m: number): void {
    const old = this.mode;
    const W = this.W;
    const R = this.R;
    if (old !== m) {
      // save the outgoing mode's banked registers
      if (old === Mode.FIQ) {
        for (let i = 0; i < 7; i++) W[BANK.FIQ_R8 + i] = R[8 + i]!;
      } else {
        for (let i = 0; i < 5; i++) W[BANK.USR_R8 + i] = R[8 + i]!;
        W[r13Slot(old)] = R[13]!;
        W[r14Slot(old)] = R[14]!;
      }
      if (m === Mode.FIQ) {
        for (let i = 0; i < 7; i++) R[8 + i] = W[BANK.FIQ_R8 + i]!;
      } else {
        for (let i = 0; i < 5; i++) R[8 + i] = W[BANK.USR_R8 + i]!;
        R[13] = W[r13Slot(m)]!;
        R[14] = W[r14Slot(m)]!;
      }
    }
    W[S.CPSR >> 2] = (W[S.CPSR >> 2]! & ~0x1f) | m;
  }

  getSPSR(): number {
    const s = spsrSlot(this.mode);
    return s < 0 ? 0 : this.W[s]! >>> 0;
  }
  setSPSR(v: number): void {
    const s = spsrSlot(this.mode);
    if (s >= 0) this.W[s] = v;
  }

  // ---- PC writes -------------------------------------------------------------------

  branchWritePC(v: number): void {
    this.W[S.IT >> 2] = 0; // a branch is always the last instruction of an IT block
    this.R[15] = this.thumb ? v & ~1 : v & ~3;
  }

  bxWritePC(v: number): void {
    const W = this.W;
    W[S.IT >> 2] = 0;
    if (v & 1) {
      W[S.CPSR >> 2] = W[S.CPSR >> 2]! | PSR.T;
      this.R[15] = v & ~1;
    } else {
      W[S.CPSR >> 2] = W[S.CPSR >> 2]! & ~PSR.T;
      // ARMv7: bit 1 set with bit 0 clear is UNPREDICTABLE; we clear it as QEMU does
      this.R[15] = v & ~3;
    }
  }

  // ---- memory ----------------------------------------------------------------------

  private alignFault(addr: number, write: boolean): never {
    throw new GuestAbort(Exc.DABT, 0x01, addr, write);
  }

  private checkAlign(addr: number, size: number, flags: number, write: boolean): boolean {
    if ((addr & (size - 1)) === 0) return true;
    if (flags & MF_ALIGNED || this.sys.alignCheck) this.alignFault(addr, write);
    return false;
  }

  // Fast paths: an access that lies in RAM, needs no translation (MMU off), is naturally
  // aligned, little-endian and (for stores) not to a page holding translated code goes
  // straight to the typed arrays; everything else takes the *Slow path.

  /** RAM offset of a physical-equals-virtual address, or a value outside [0, ramSize). */
  private fastOff(addr: number): number {
    return (addr >>> 0) - this.fastBase;
  }

  ld8(addr: number, flags: number): number {
    const off = this.fastOff(addr);
    if (off >= 0 && off < this.ramSize) return this.u8[RAM_OFFSET + off]!;
    return this.bus.read8(this.translate(addr, false, flags));
  }
  ld32(addr: number, flags: number): number {
    const off = this.fastOff(addr);
    if ((addr & 3) === 0 && off >= 0 && off < this.ramSize && !this.bigEndian)
      return this.u32[(RAM_OFFSET + off) >>> 2]!;
    return this.ld32Slow(addr, flags);
  }
  st32(addr: number, v: number, flags: number): void {
    const off = this.fastOff(addr);
    if (
      (addr & 3) === 0 &&
      off >= 0 &&
      off < this.ramSize &&
      !this.bigEndian &&
      this.codePages[off >>> 12] === 0
    )
      this.u32[(RAM_OFFSET + off) >>> 2] = v;
    else this.st32Slow(addr, v, flags);
  }
  st8(addr: number, v: number, flags: number): void {
    const off = this.fastOff(addr);
    if (off >= 0 && off < this.ramSize && this.codePages[off >>> 12] === 0) this.u8[RAM_OFFSET + off] = v;
    else this.bus.write8(this.translate(addr, true, flags), v);
  }
  ld8s(addr: number, flags: number): number {
    return (this.ld8(addr, flags) << 24) >> 24;
  }
  ld16(addr: number, flags: number): number {
    let v: number;
    if (this.checkAlign(addr, 2, flags, false)) v = this.bus.read16(this.translate(addr, false, flags));
    else v = this.ld8(addr, flags) | (this.ld8(addr + 1, flags) << 8);
    return this.bigEndian ? ((v & 0xff) << 8) | (v >>> 8) : v;
  }
  ld16s(addr: number, flags: number): number {
    return (this.ld16(addr, flags) << 16) >> 16;
  }
  private ld32Slow(addr: number, flags: number): number {
    // (issue 3) MMU on: aligned little-endian RAM words straight from a soft-TLB hit
    if (this.mmuOn && (addr & 3) === 0 && !this.bigEndian) {
      const h = this.mmu.hostOffset(addr, ACC_R, this.pl0(flags));
      if (h >= 0) return this.u32[h >>> 2]!;
    }
    let v: number;
    if (this.checkAlign(addr, 4, flags, false)) v = this.bus.read32(this.translate(addr, false, flags));
    else
      v =
        this.ld8(addr, flags) |
        (this.ld8(addr + 1, flags) << 8) |
        (this.ld8(addr + 2, flags) << 16) |
        (this.ld8(addr + 3, flags) << 24);
    return this.bigEndian ? bswap32(v) : v;
  }
  st16(addr: number, v: number, flags: number): void {
    if (this.bigEndian) v = ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
    if (this.checkAlign(addr, 2, flags, true)) this.bus.write16(this.translate(addr, true, flags), v);
    else {
      this.st8(addr, v, flags);
      this.st8(addr + 1, v >>> 8, flags);
    }
  }
  private st32Slow(addr: number, v: number, flags: number): void {
    // (issue 3) MMU on: aligned little-endian RAM words through a soft-TLB hit (not code pages)
    if (this.mmuOn && (addr & 3) === 0 && !this.bigEndian) {
      const h = this.mmu.hostOffset(addr, ACC_W, this.pl0(flags));
      if (h >= 0 && this.codePages[(h - RAM_OFFSET) >>> 12] === 0) {
        this.u32[h >>> 2] = v;
        return;
      }
    }
    if (this.bigEndian) v = bswap32(v);
    if (this.checkAlign(addr, 4, flags, true)) this.bus.write32(this.translate(addr, true, flags), v);
    else {
      this.st8(addr, v, flags);
      this.st8(addr + 1, v >>> 8, flags);
      this.st8(addr + 2, v >>> 16, flags);
      this.st8(addr + 3, v >>> 24, flags);
    }
  }

  /** Virtual to physical for a data access (identity while the MMU is off). */
  translate(va: number, write: boolean, flags: number): number {
    if (!this.mmuOn) return va >>> 0;
    // MMU (issue 3): LDRT/STRT (MF_UNPRIV) and User mode are checked with PL0 rights
    this.lastVa = va;
    return this.mmu.translate(va, write ? ACC_W : ACC_R, this.pl0(flags));
  }

  /** (issue 3) The access is checked with PL0 rights: LDRT/STRT (MF_UNPRIV) or User mode. */
  private pl0(flags: number): boolean {
    return (flags & MF_UNPRIV) !== 0 || (this.W[S.CPSR >> 2]! & 0x1f) === Mode.USR;
  }

  /** Physical address of an instruction fetch (prefetch aborts are GuestAborts). */
  private fetchPa(va: number): number {
    return this.mmuOn ? this.mmu.translateFetch(va, (this.W[S.CPSR >> 2]! & 0x1f) === Mode.USR) : va >>> 0;
  }

  /** Physical address of code at `va` already fetched (the interpreter's page tracking). */
  codePa(va: number): number {
    return this.fetchPa(va);
  }

  /** The VA of a data access that hit nothing on the bus at `pa` (DFAR). */
  faultVa(pa: number): number {
    return this.mmuOn ? this.lastVa : pa;
  }

  /** Instruction fetch (always little-endian, as on ARMv7 with SCTLR.IE = 0). */
  fetch16(va: number): number {
    return this.bus.fetch16(this.fetchPa(va));
  }
  fetch32(va: number): number {
    return this.bus.fetch32(this.fetchPa(va));
  }

  // ---- exceptions ------------------------------------------------------------------

  /**
   * Enter an exception handler. `ret` is the value for the new mode's LR (already
   * including the architectural offset).
   */
  takeException(kind: number, ret: number): void {
    const cpsr = this.getCPSR();
    let mode: number;
    let vec: number;
    let mask = PSR.I;
    switch (kind) {
      case Exc.UNDEF:
        mode = Mode.UND;
        vec = 0x04;
        break;
      case Exc.SVC:
        mode = Mode.SVC;
        vec = 0x08;
        break;
      case Exc.PABT:
        mode = Mode.ABT;
        vec = 0x0c;
        mask |= PSR.A;
        break;
      case Exc.DABT:
        mode = Mode.ABT;
        vec = 0x10;
        mask |= PSR.A;
        break;
      case Exc.IRQ:
        mode = Mode.IRQ;
        vec = 0x18;
        mask |= PSR.A;
        break;
      default:
        mode = Mode.FIQ;
        vec = 0x1c;
        mask |= PSR.A | PSR.F;
        break;
    }
    this.setMode(mode);
    this.setSPSR(cpsr);
    this.R[14] = ret;
    this.W[S.IT >> 2] = 0;
    const sctlr = this.sys.sctlr;
    let c = (this.W[S.CPSR >> 2]! & ~(PSR.T | PSR.E | PSR.J)) | mask;
    if (sctlr & (1 << 30)) c |= PSR.T; // TE
    if (sctlr & (1 << 25)) c |= PSR.E; // EE
    this.W[S.CPSR >> 2] = c;
    this.bigEndian = (c & PSR.E) !== 0;
    const base = sctlr & (1 << 13) ? 0xffff0000 : this.sys.vbar;
    this.R[15] = (base + vec) | 0;
  }

  /** Take a synchronous abort raised while executing the instruction at `insnAddr`. */
  takeAbort(a: GuestAbort, insnAddr: number): void {
    let fsr = a.fsr;
    // MMU (issue 3): with TTBCR.EAE = 1 fault status registers use the long format;
    // alignment (0x01) and external (0x08) aborts are raised in the short encoding
    if (this.mmu.longFormat && (fsr & 0x200) === 0) fsr = fsr === 0x01 ? 0x221 : fsr === 0x08 ? 0x210 : fsr;
    if (a.kind === Exc.DABT) {
      this.sys.dfsr = fsr | (a.write ? 1 << 11 : 0);
      this.sys.dfar = a.far >>> 0;
      this.takeException(Exc.DABT, (insnAddr + 8) | 0);
    } else {
      this.sys.ifsr = fsr;
      this.sys.ifar = a.far >>> 0;
      this.takeException(Exc.PABT, (insnAddr + 4) | 0);
    }
  }
}

export function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}
