// The architectural state of one Cortex-A15 core and the operations both execution
// tiers call into: PSR access with register banking, PC writes, memory access through
// the bus, and exception entry.

import { VirtualClock } from "../../runtime/clock.js";
import { ACC_R, ACC_W, Mmu, type Stage2Fault } from "../../runtime/mmu.js";
import { HCR, Sysregs } from "../../runtime/sysregs.js";
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

/** Cpu.intLines bits: the physical IRQ/FIQ inputs (issue 3) and the virtual ones (issue 4). */
export const INT_IRQ = 1;
export const INT_FIQ = 2;
export const INT_VIRQ = 4;
export const INT_VFIQ = 8;
/** (issue 4) The virtual asynchronous abort (HCR.VA). */
export const INT_VABT = 16;

export interface Semihost {
  /** Perform semihosting operation `op` with parameter block `param`; returns r0. */
  call(cpu: Cpu, op: number, param: number): number;
}

/** A synchronous abort raised by a memory access; caught by the run loop. */
/** A Thumb halfword that starts a 32-bit instruction (0b11101, 0b11110, 0b11111). */
export function isThumb32(hw1: number): boolean {
  return (hw1 & 0xf800) >= 0xe800;
}

export class GuestAbort {
  constructor(
    /** Exc.DABT or Exc.PABT. */
    readonly kind: number,
    /** Fault status (short-descriptor FSR encoding, or long with bit 9 set). */
    readonly fsr: number,
    readonly far: number,
    readonly write: boolean,
    /** (issue 4) A stage-2 fault (null: stage 1): IPA, S1PTW, CM. */
    readonly s2: Stage2Fault | null = null,
  ) {}
}

/** (issue 4) HSR exception classes (B3.13.6). */
export const EC = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  CP15_32: 0x03,
  CP15_64: 0x04,
  CP14_32: 0x05,
  CP14_LS: 0x06,
  HCPTR: 0x07,
  CP10_ID: 0x08,
  CP14_64: 0x0c,
  SVC_HYP: 0x11,
  HVC: 0x12,
  SMC: 0x13,
  IABT_LOW: 0x20,
  IABT_HYP: 0x21,
  DABT_LOW: 0x24,
  DABT_HYP: 0x25,
} as const;
/** HSR.IL: the trapped instruction is 32 bits long. */
export const HSR_IL = 1 << 25;
/** ISS.CV | ISS.COND = AL: QEMU reports every trapped conditional instruction as AL (allowed). */
export const ISS_CV_AL = (1 << 24) | (0xe << 20);

/** Hyp vector offsets (B1.8.1, Table B1-3). */
export const HVEC = {
  UNDEF: 0x04,
  HVC: 0x08,
  PABT: 0x0c,
  DABT: 0x10,
  TRAP: 0x14,
  IRQ: 0x18,
  FIQ: 0x1c,
} as const;

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
  private readonly u16: Uint16Array;
  private readonly codePages: Uint8Array;
  private readonly ramSize: number;
  /**
   * The identity-mapped fast path: addresses in [fastBase, fastBase + fastSize) are RAM
   * at their own address. fastSize is 0 while the MMU is on (issue 3), where the soft
   * TLB gives the host offset instead (see host).
   */
  readonly fastBase: number;
  fastSize: number;
  readonly sys: Sysregs;
  /**
   * Retired guest instructions (exact below 2^53). A JS number, not a state-block word:
   * the run loop adds to it once per block. Starts as -0, a heap number, so that V8 keeps
   * the field as a double from the start: a field that starts as a small integer changes
   * representation when it passes 2^30, which throws away all the optimized code that
   * reads the Cpu (the interpreter's execOps included) in the middle of a boot.
   */
  icount = -0;
  /** (issue 4) Retired instructions by privilege level: PL0, PL1, PL2 (Hyp); doubles, as icount. */
  readonly plInsns = new Float64Array(3);
  /** Arena index of the op that was executing when a fault was thrown (set by execOps). */
  faultOp = 0;
  /** The PL1&0 regime: stage 1 (issue 3) and stage 2 (issue 4), runtime/mmu.ts. */
  readonly mmu: Mmu;
  /** (issue 4) The Hyp-mode regime (HSCTLR, HTTBR, HTCR). */
  readonly hypMmu: Mmu;
  /** The regime of the current mode (hypMmu in Hyp mode); mmuOn mirrors its `enabled`. Set by regimeChanged(). */
  tr: Mmu;
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

  /**
   * The GIC virtual CPU interface's outputs (issue 4): virtual IRQ/FIQ towards PL1,
   * combined with HCR.VI/VF into intLines.
   */
  setVirtualLines(virq: boolean, vfiq: boolean): void {
    this.vgicLines = (virq ? INT_VIRQ : 0) | (vfiq ? INT_VFIQ : 0);
    this.updateVirtLines();
  }
  private vgicLines = 0;

  constructor(bus: Bus) {
    this.bus = bus;
    this.memory = bus.memory;
    this.W = new Int32Array(this.memory.buffer);
    this.R = new Int32Array(this.memory.buffer, S.R, 16);
    this.u8 = bus.u8;
    this.u32 = bus.u32;
    this.u16 = new Uint16Array(this.memory.buffer);
    this.codePages = bus.codePages;
    this.ramSize = bus.ramSize;
    this.fastBase = bus.ramBase;
    this.fastSize = bus.ramSize;
    this.sys = new Sysregs(this);
    // MMU (issue 3): faults become GuestAborts; while it is on, the VA == PA fast path is off
    const host = {
      bus,
      abort: (prefetch: boolean, fsr: number, va: number, write: boolean, s2?: Stage2Fault) => {
        throw new GuestAbort(prefetch ? Exc.PABT : Exc.DABT, fsr, va, write, s2 ?? null);
      },
      mmuEnabled: () => this.regimeChanged(),
    };
    this.mmu = new Mmu(host);
    this.hypMmu = new Mmu(host, "hyp");
    this.tr = this.mmu;
    this.sys.tlbHook = (crm, opc2, v) => this.mmu.tlbOp(crm, opc2, v);
    this.clock = new VirtualClock(this);
    this.timer = new GenericTimer(this, this.clock);
    this.reset();
  }

  reset(): void {
    this.W.fill(0, 0, S.END >> 2);
    this.icount = 0;
    this.plInsns.fill(0);
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
  /** Privilege level of the current mode: 0 User, 2 Hyp, 1 the others. */
  get pl(): number {
    const m = this.W[S.CPSR >> 2]! & 0x1f;
    return m === Mode.USR ? 0 : m === Mode.HYP ? 2 : 1;
  }

  /**
   * (issue 4) The translation regime may have changed: entering or leaving Hyp mode, an
   * MMU enable bit, HCR.VM. Selects the MMU and the identity fast path.
   */
  regimeChanged(): void {
    const hyp = (this.W[S.CPSR >> 2]! & 0x1f) === Mode.HYP;
    this.tr = hyp ? this.hypMmu : this.mmu;
    this.mmuOn = this.tr.enabled;
    this.fastSize = this.mmuOn ? 0 : this.ramSize;
    this.sys.refreshAlign();
  }

  /** (issue 4) HCR changed: the virtual interrupt inputs HCR.VI/VF. */
  hcrChanged(): void {
    this.updateVirtLines();
  }

  private updateVirtLines(): void {
    const hcr = this.sys.hcr;
    const v =
      this.vgicLines |
      (hcr & HCR.VI ? INT_VIRQ : 0) |
      (hcr & HCR.VF ? INT_VFIQ : 0) |
      (hcr & HCR.VA ? INT_VABT : 0);
    this.intLines = (this.intLines & (INT_IRQ | INT_FIQ)) | v;
  }

  /**
   * (issue 4) Take the virtual abort (HCR.VA, routed by HCR.AMO, not masked by CPSR.A) at
   * PL1: a Data Abort with the asynchronous external abort status; taking it clears
   * HCR.VA (B1.8.7). `next` is the next instruction to execute.
   */
  takeVirtualAbort(next: number): void {
    this.sys.set("HCR", this.sys.hcr & ~HCR.VA);
    this.updateVirtLines();
    this.sys.dfsr = this.mmu.longFormat ? 0x211 : 0x406;
    this.takeException(Exc.DABT, (next + 8) | 0);
  }

  /** The GIC CPU interface's outputs (physical IRQ/FIQ). */
  setPhysicalLines(irq: boolean, fiq: boolean): void {
    this.intLines = (this.intLines & ~(INT_IRQ | INT_FIQ)) | (irq ? INT_IRQ : 0) | (fiq ? INT_FIQ : 0);
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
    if ((old === Mode.HYP) !== (m === Mode.HYP)) this.regimeChanged(); // (issue 4)
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

  // Fast paths: an access to RAM that needs no translation work (MMU off, or a soft-TLB
  // hit with the rights for it), naturally aligned, little-endian and (for stores) not to
  // a page holding translated code goes straight to the typed arrays; everything else
  // takes the *Slow path.

  /**
   * Host byte offset of `addr` for this access when it is RAM needing no translation work
   * (identity while the MMU is off; else a soft-TLB hit: issues 3, 4, also for stage 2
   * alone, e.g. a guest kernel's decompressor), or -1. One unsigned compare for the
   * identity case keeps the arithmetic in integers.
   */
  private host(addr: number, acc: number, flags: number): number {
    const off = (addr - this.fastBase) >>> 0;
    if (off < this.fastSize) return RAM_OFFSET + off;
    return this.mmuOn ? this.tr.hostOffset(addr, acc, this.pl0(flags)) : -1;
  }
  /** host() for a store, but -1 for a page holding translated code (the slow path invalidates it). */
  private hostW(addr: number, flags: number): number {
    const h = this.host(addr, ACC_W, flags);
    return h >= 0 && this.codePages[(h - RAM_OFFSET) >>> 12] === 0 ? h : -1;
  }

  ld8(addr: number, flags: number): number {
    const h = this.host(addr, ACC_R, flags);
    if (h >= 0) return this.u8[h]!;
    return this.bus.read8(this.translate(addr, false, flags));
  }
  ld32(addr: number, flags: number): number {
    if ((addr & 3) === 0 && !this.bigEndian) {
      const h = this.host(addr, ACC_R, flags);
      if (h >= 0) return this.u32[h >>> 2]!;
    }
    return this.ld32Slow(addr, flags);
  }
  st32(addr: number, v: number, flags: number): void {
    if ((addr & 3) === 0 && !this.bigEndian) {
      const h = this.hostW(addr, flags);
      if (h >= 0) {
        this.u32[h >>> 2] = v;
        return;
      }
    }
    this.st32Slow(addr, v, flags);
  }
  st8(addr: number, v: number, flags: number): void {
    const h = this.hostW(addr, flags);
    if (h >= 0) this.u8[h] = v;
    else this.bus.write8(this.translate(addr, true, flags), v);
  }
  ld8s(addr: number, flags: number): number {
    return (this.ld8(addr, flags) << 24) >> 24;
  }
  ld16(addr: number, flags: number): number {
    if ((addr & 1) === 0 && !this.bigEndian) {
      const h = this.host(addr, ACC_R, flags);
      if (h >= 0) return this.u16[h >>> 1]!;
    }
    let v: number;
    if (this.checkAlign(addr, 2, flags, false)) v = this.bus.read16(this.translate(addr, false, flags));
    else v = this.ld8(addr, flags) | (this.ld8(addr + 1, flags) << 8);
    return this.bigEndian ? ((v & 0xff) << 8) | (v >>> 8) : v;
  }
  ld16s(addr: number, flags: number): number {
    return (this.ld16(addr, flags) << 16) >> 16;
  }
  private ld32Slow(addr: number, flags: number): number {
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
    if ((addr & 1) === 0 && !this.bigEndian) {
      const h = this.hostW(addr, flags);
      if (h >= 0) {
        this.u16[h >>> 1] = v;
        return;
      }
    }
    if (this.bigEndian) v = ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
    if (this.checkAlign(addr, 2, flags, true)) this.bus.write16(this.translate(addr, true, flags), v);
    else {
      this.st8(addr, v, flags);
      this.st8(addr + 1, v >>> 8, flags);
    }
  }
  private st32Slow(addr: number, v: number, flags: number): void {
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
    return this.tr.translate(va, write ? ACC_W : ACC_R, this.pl0(flags));
  }

  /** (issue 3) The access is checked with PL0 rights: LDRT/STRT (MF_UNPRIV) or User mode. */
  private pl0(flags: number): boolean {
    return (flags & MF_UNPRIV) !== 0 || (this.W[S.CPSR >> 2]! & 0x1f) === Mode.USR;
  }

  /** Physical address of an instruction fetch (prefetch aborts are GuestAborts). */
  private fetchPa(va: number): number {
    return this.mmuOn ? this.tr.translateFetch(va, (this.W[S.CPSR >> 2]! & 0x1f) === Mode.USR) : va >>> 0;
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
    // (issue 4) exceptions taken while in Hyp mode stay in Hyp mode
    if ((this.W[S.CPSR >> 2]! & 0x1f) === Mode.HYP) {
      this.hypSelfException(kind, ret);
      return;
    }
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

  /**
   * (issue 4) Enter Hyp mode at HVBAR + `vec` (B1.8.4): SPSR_hyp = CPSR, ELR_hyp = the
   * preferred return address, HSR = `hsr` (null: unchanged, for IRQ/FIQ); A, I and F
   * masked; T and E from HSCTLR.TE/EE.
   */
  enterHyp(vec: number, elr: number, hsr: number | null): void {
    const cpsr = this.getCPSR();
    this.setMode(Mode.HYP);
    this.setSPSR(cpsr);
    this.W[BANK.HYP_R13 + 1] = elr;
    if (hsr !== null) this.sys.set("HSR", hsr);
    this.W[S.IT >> 2] = 0;
    const hsctlr = this.sys.get("HSCTLR");
    let c = (this.W[S.CPSR >> 2]! & ~(PSR.T | PSR.E | PSR.J)) | PSR.A | PSR.I | PSR.F;
    if (hsctlr & (1 << 30)) c |= PSR.T;
    if (hsctlr & (1 << 25)) c |= PSR.E;
    this.W[S.CPSR >> 2] = c;
    this.bigEndian = (c & PSR.E) !== 0;
    this.R[15] = (this.sys.get("HVBAR") + vec) | 0;
  }

  /**
   * (issue 4) A trap from PL0/PL1 to Hyp mode (the Hyp Trap vector) for the executing
   * instruction at `insnAddr`: ELR_hyp = that instruction, HSR = EC, IL, ISS.
   */
  /** Is the instruction at `addr` 32 bits long (A32, or a 32-bit Thumb encoding)? */
  insnIs32(addr: number): boolean {
    return !this.thumb || isThumb32(this.fetch16(addr));
  }

  hypTrap(ec: number, iss: number, insnAddr: number, len32: boolean): void {
    this.enterHyp(HVEC.TRAP, insnAddr, ((ec << 26) | (len32 ? HSR_IL : 0) | iss) >>> 0);
  }

  /**
   * (issue 4) An exception of `kind` raised in Hyp mode (`ret` is the PL1-style link value
   * takeException gets): the Hyp vectors, with the preferred return address in ELR_hyp.
   */
  private hypSelfException(kind: number, ret: number): void {
    // [vector, ret - ELR, HSR]: UNDEF has EC 0x00 with IL UNK/SBZP (B3.13.6; QEMU reports
    // 0); SVC and aborts bring their HSR in hsrPending; IRQ/FIQ leave HSR unchanged
    const [vec, off, hsr] =
      kind === Exc.UNDEF
        ? [HVEC.UNDEF, this.thumb ? 2 : 4, 0]
        : kind === Exc.SVC
          ? [HVEC.HVC, 0, this.hsrPending]
          : kind === Exc.PABT
            ? [HVEC.PABT, 4, this.hsrPending]
            : kind === Exc.DABT
              ? [HVEC.DABT, 8, this.hsrPending]
              : [kind === Exc.IRQ ? HVEC.IRQ : HVEC.FIQ, 4, null];
    this.enterHyp(vec, (ret - off) | 0, hsr);
  }
  /** HSR value for the next Hyp-mode SVC/abort taken through takeException. */
  hsrPending = 0;

  /** Take a synchronous abort raised while executing the instruction at `insnAddr`. */
  takeAbort(a: GuestAbort, insnAddr: number): void {
    const data = a.kind === Exc.DABT;
    if (a.s2) {
      this.stage2Abort(a, a.s2, insnAddr);
      return;
    }
    let fsr = a.fsr;
    // MMU (issue 3): with TTBCR.EAE = 1 fault status registers use the long format;
    // alignment (0x01) and external (0x08) aborts are raised in the short encoding
    const long = this.tr.longFormat || (this.W[S.CPSR >> 2]! & 0x1f) === Mode.HYP;
    if (long && (fsr & 0x200) === 0) fsr = fsr === 0x01 ? 0x221 : fsr === 0x08 ? 0x210 : fsr;
    if ((this.W[S.CPSR >> 2]! & 0x1f) === Mode.HYP) {
      // (issue 4) an abort in Hyp mode: HSR EC 0x25/0x21, HDFAR/HIFAR; no instruction
      // syndrome (only stage-2 aborts from PL0/PL1 have one), so IL is UNK/SBZP: 0
      this.sys.set(data ? "HDFAR" : "HIFAR", a.far >>> 0);
      const iss = (fsr & 0x3f) | (data && a.write ? 1 << 6 : 0);
      this.hsrPending = ((data ? EC.DABT_HYP : EC.IABT_HYP) << 26) | iss;
      this.takeException(data ? Exc.DABT : Exc.PABT, (insnAddr + (data ? 8 : 4)) | 0);
      return;
    }
    if (data) {
      this.sys.dfsr = fsr | (a.write ? 1 << 11 : 0);
      this.sys.dfar = a.far >>> 0;
      this.takeException(Exc.DABT, (insnAddr + 8) | 0);
    } else {
      this.sys.ifsr = fsr;
      this.sys.ifar = a.far >>> 0;
      this.takeException(Exc.PABT, (insnAddr + 4) | 0);
    }
  }

  /**
   * (issue 4) A stage-2 fault on an access from PL0/PL1: a Hyp Trap with EC 0x24/0x20,
   * HDFAR/HIFAR = VA, HPFAR = IPA[39:12] in bits [31:4]; for data aborts on single
   * loads/stores the instruction syndrome (ISV, SAS, SSE, SRT) lets the hypervisor emulate
   * the access.
   */
  private stage2Abort(a: GuestAbort, s2: Stage2Fault, insnAddr: number): void {
    const data = a.kind === Exc.DABT;
    this.sys.set(data ? "HDFAR" : "HIFAR", a.far >>> 0);
    this.sys.set("HPFAR", (Math.floor(s2.ipa / 4096) * 16) >>> 0);
    let iss = (a.fsr & 0x3f) | (s2.s1ptw ? 1 << 7 : 0) | (s2.cm ? 1 << 8 : 0);
    // IL is valid only with an instruction syndrome (B3.13.6; UNK/SBZP otherwise: 0, as QEMU)
    let il = false;
    if (data) {
      if (a.write) iss |= 1 << 6;
      if (!s2.s1ptw && !s2.cm) {
        const syn = this.loadStoreSyndrome(insnAddr);
        iss |= syn & 0x1ff0000;
        il = (syn & (1 << 24)) !== 0 && (syn & 1) === 0;
      }
    }
    this.hypTrap(data ? EC.DABT_LOW : EC.IABT_LOW, iss, insnAddr, il);
  }

  /**
   * (issue 4) The instruction syndrome of the load/store at `addr` (B3.13.6): ISV (24),
   * SAS (23:22), SSE (21), SRT (19:16), or 0 when the instruction is not a single
   * register load/store with offset addressing (no writeback), as QEMU reports. Bit 0
   * of the result: the instruction is 16-bit Thumb.
   */
  private loadStoreSyndrome(addr: number): number {
    let insn: number;
    let t16 = false;
    try {
      if (!this.thumb) insn = this.fetch32(addr);
      else {
        const hw1 = this.fetch16(addr);
        if (!isThumb32(hw1)) {
          insn = hw1;
          t16 = true;
        } else insn = ((hw1 << 16) | this.fetch16(addr + 2)) >>> 0;
      }
    } catch {
      return 0;
    }
    const syn = (size: number, sign: boolean, rt: number) =>
      (1 << 24) | (size << 22) | (sign ? 1 << 21 : 0) | (rt << 16) | (t16 ? 1 : 0);
    if (t16) {
      const top = insn >>> 11;
      if (insn >>> 12 === 0b0101) {
        const op = (insn >>> 9) & 7; // STR STRH STRB LDRSB LDR LDRH LDRB LDRSH
        const size = [2, 1, 0, 0, 2, 1, 0, 1][op]!;
        return syn(size, op === 3 || op === 7, insn & 7);
      }
      if (insn >>> 13 === 0b011) return syn(top & 2 ? 0 : 2, false, insn & 7); // LDR/STR(B) imm5
      if (insn >>> 12 === 0b1000) return syn(1, false, insn & 7); // LDRH/STRH imm5
      if (insn >>> 12 === 0b1001 || top === 0b01001) return syn(2, false, (insn >>> 8) & 7); // SP / literal
      return t16 ? 1 : 0;
    }
    if (this.thumb) {
      const hw1 = insn >>> 16;
      const hw2 = insn & 0xffff;
      if (hw1 >>> 9 !== 0b1111100 || (hw1 & 0x60) === 0x60) return 0;
      const size = (hw1 >>> 5) & 3;
      const sign = (hw1 & 0x100) !== 0;
      const rt = hw2 >>> 12;
      const rn = hw1 & 0xf;
      // imm12 and literal forms, register form: offset addressing
      if (hw1 & 0x80 || rn === 15 || (hw2 & 0xfc0) === 0) return syn(size, sign, rt);
      // imm8 forms: P U W in hw2[10:8]; offset (P = 1, W = 0), the unprivileged T form too
      if (hw2 & 0x800 && (hw2 & 0x500) === 0x400) return syn(size, sign, rt);
      return 0;
    }
    const p = (insn >>> 24) & 1;
    const w = (insn >>> 21) & 1;
    if (!p || w) return 0;
    const rt = (insn >>> 12) & 0xf;
    if (((insn >>> 26) & 3) === 1) {
      // LDR/STR/LDRB/STRB (immediate or register; not the media space)
      if (insn & (1 << 25) && insn & 0x10) return 0;
      return syn(insn & (1 << 22) ? 0 : 2, false, rt);
    }
    if (((insn >>> 25) & 7) === 0 && (insn & 0x90) === 0x90 && (insn & 0x60) !== 0) {
      const load = (insn & (1 << 20)) !== 0;
      switch ((insn >>> 5) & 3) {
        case 1:
          return syn(1, false, rt); // LDRH/STRH
        case 2:
          return load ? syn(0, true, rt) : 0; // LDRSB (LDRD: no syndrome)
        default:
          return load ? syn(1, true, rt) : 0; // LDRSH (STRD: no syndrome)
      }
    }
    return 0;
  }
}

export function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}
