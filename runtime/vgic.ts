// GICv2 virtualization extensions for one CPU (IHI 0048B chapter 5), as QEMU 7.2 models
// them on `-M virt,virtualization=on,gic-version=2`: the virtual interface control
// registers (GICH, for the hypervisor) and the virtual CPU interface (GICV, which the
// hypervisor maps at the guest's GICC address through stage 2).
//
// Four list registers (LRs) hold the virtual interrupts the hypervisor injects. The
// virtual CPU interface behaves as a GICv2 CPU interface without security extensions
// whose "distributor" is the LRs: the highest priority pending LR above the virtual
// priority mask and running priority signals a virtual IRQ (or a virtual FIQ for group
// 0 with FIQEn) while GICH_HCR.En; GICV_IAR moves it to active, GICV_EOIR drops the
// priority and (EOImode 0) deactivates, GICV_DIR deactivates (EOImode 1). Deactivating
// an LR with HW = 1 deactivates its physical interrupt in the distributor. An EOI or DIR
// that matches no active LR counts in GICH_HCR.EOICount instead.
// Priorities are 5 bits (LR.Priority is priority[7:3]), so there are 32 preemption
// levels, one active priority register (GICH_APR = GICV_APR0) and BPR >= 2.
// The maintenance interrupt (PPI 25) is high while GICH_HCR.En and GICH_MISR != 0.
//
// QEMU's regions are 4 KiB (GICH) and 8 KiB (GICV, GICV_DIR at +0x1000) at the start of
// the 64 KiB windows of the device tree; the rest of each window is unassigned (a data
// abort on QEMU, a bus error here). Offsets inside a region that name no register read
// as zero and ignore writes. (QEMU also accepts GICH_LR4 as a stray storage word; here
// it is RAZ/WI like the other unimplemented LRs.)

import type { Device } from "../src/mem/bus.js";
import { ctz32, type Gic, SPURIOUS } from "./gic.js";

export const GICH_BASE = 0x08030000;
export const GICV_BASE = 0x08040000;
export const GICH_SIZE = 0x1000;
export const GICV_SIZE = 0x2000;
/** The maintenance interrupt: PPI 9 (QEMU virt's ARCH_GIC_MAINT_IRQ). */
export const MAINTENANCE_INTID = 25;
export const NUM_LRS = 4;

/** GICH_VTR: ListRegs = 4 - 1, PREbits = 5 - 1 (bits 28:26), PRIbits = 5 - 1 (bits 31:29). */
const GICH_VTR = ((NUM_LRS - 1) | (4 << 26) | (4 << 29)) >>> 0;

// GICH_HCR
const HCR_EN = 1 << 0;
const HCR_UIE = 1 << 1;
const HCR_LRENPIE = 1 << 2;
const HCR_NPIE = 1 << 3;
const HCR_VGRP0EIE = 1 << 4;
const HCR_VGRP0DIE = 1 << 5;
const HCR_VGRP1EIE = 1 << 6;
const HCR_VGRP1DIE = 1 << 7;
const HCR_EOICOUNT_ONE = 1 << 27;
const HCR_EOICOUNT_MASK = 0xf8000000;
const HCR_WRITABLE = 0xf80000ff;

// GICH_MISR
const MISR_EOI = 1 << 0;
const MISR_U = 1 << 1;
const MISR_LRENP = 1 << 2;
const MISR_NP = 1 << 3;
const MISR_VGRP0E = 1 << 4;
const MISR_VGRP0D = 1 << 5;
const MISR_VGRP1E = 1 << 6;
const MISR_VGRP1D = 1 << 7;

// GICH_LR<n>: VirtualID[9:0], PhysicalID[19:10] when HW, else CPUID[12:10] and
// EOI[19]; Priority[27:23]; State[29:28]; Grp1[30]; HW[31]. Bits 22:20 are reserved.
const LR_WRITABLE = 0xff8fffff;
const LR_EOI = 1 << 19;
const LR_PENDING = 1 << 28;
const LR_ACTIVE = 1 << 29;
const LR_STATE = LR_PENDING | LR_ACTIVE;
const LR_GRP1 = 1 << 30;
const LR_HW = 1 << 31;

// GICV_CTLR bits (the GICC_CTLR view without security extensions); also GICH_VMCR[9:0].
const CTLR_EN_GRP0 = 1 << 0;
const CTLR_EN_GRP1 = 1 << 1;
const CTLR_ACKCTL = 1 << 2;
const CTLR_FIQEN = 1 << 3;
const CTLR_CBPR = 1 << 4;
const CTLR_EOIMODE = 1 << 9;
const CTLR_WRITABLE = 0x21f;

/** Lowest binary points with 5 bits of group priority. */
const MIN_BPR = 2;
const MIN_ABPR = 3;
/** (QEMU clamps a GICV_ABPR write at the physical interface's minimum, 1; only GICH_VMCR
 * clamps at 3. The group priority is the same for ABPR 1 to 3: LR priorities have no
 * bits below bit 3.) */
const GICV_ABPR_WRITE_MIN = 1;
const PRIORITY_MASK = 0xf8;
const IDLE_PRIORITY = 0x100;

export class VGic {
  /** GICH_LR0..3. */
  readonly lr = new Uint32Array(NUM_LRS);
  /** GICH_HCR. */
  hcr = 0;
  /** GICH_APR = GICV_APR0: one bit per active preemption level (priority >> 3). */
  apr = 0;
  /** The virtual CPU interface state, which GICH_VMCR also reads and writes: GICV_CTLR,
   * PMR, BPR, ABPR. */
  ctlr = 0;
  pmr = 0;
  bpr = MIN_BPR;
  abpr = MIN_ABPR;
  /** Running priority of the virtual CPU interface (0x100 when idle). */
  running = IDLE_PRIORITY;
  /** GICH_MISR as of the last update. */
  misr = 0;
  /** The LR of the highest priority pending virtual interrupt above the mask (-1: none). */
  currentLr = -1;
  /** Output levels to the CPU. */
  virqOut = false;
  vfiqOut = false;

  readonly hypInterface: Device;
  readonly vcpuInterface: Device;

  /** `setVirtLines` drives the CPU's virtual IRQ and FIQ inputs; the maintenance
   * interrupt goes to `gic` as PPI 25. */
  constructor(
    private readonly gic: Gic,
    private readonly setVirtLines: (virq: boolean, vfiq: boolean) => void,
  ) {
    this.hypInterface = {
      name: "gic-hyp",
      base: GICH_BASE,
      size: GICH_SIZE,
      read: (o) => this.hypRead(o),
      write: (o, _s, v) => this.hypWrite(o, v >>> 0),
    };
    this.vcpuInterface = {
      name: "gic-vcpu",
      base: GICV_BASE,
      size: GICV_SIZE,
      read: (o) => this.vcpuRead(o),
      write: (o, _s, v) => this.vcpuWrite(o, v >>> 0),
    };
    this.reset();
  }

  reset(): void {
    this.lr.fill(0);
    this.hcr = 0;
    this.apr = 0;
    this.ctlr = 0;
    this.pmr = 0;
    this.bpr = MIN_BPR;
    this.abpr = MIN_ABPR;
    this.running = IDLE_PRIORITY;
    this.update();
  }

  // ---- outputs ---------------------------------------------------------------------

  /** Recompute GICH_MISR, the maintenance interrupt, the highest priority pending
   * virtual interrupt and the virtual IRQ/FIQ lines. */
  update(): void {
    let valid = 0;
    let pending = 0;
    let eoi = 0;
    let best = -1;
    let bestPrio = IDLE_PRIORITY;
    for (let i = 0; i < NUM_LRS; i++) {
      const e = this.lr[i]!;
      const state = e & LR_STATE;
      if (state === 0) {
        if (isEoiLr(e)) eoi++;
        continue;
      }
      valid++;
      // active, or active and pending: not signalled, and (as QEMU reads GICH_MISR.NP) not pending
      if (state !== LR_PENDING) continue;
      pending++;
      const prio = lrPriority(e);
      if (prio < bestPrio) {
        bestPrio = prio;
        best = i;
      }
    }

    const hcr = this.hcr;
    const ctlr = this.ctlr;
    let misr = 0;
    if (eoi) misr |= MISR_EOI;
    if (hcr & HCR_UIE && valid < 2) misr |= MISR_U;
    if (hcr & HCR_LRENPIE && hcr & HCR_EOICOUNT_MASK) misr |= MISR_LRENP;
    if (hcr & HCR_NPIE && pending === 0) misr |= MISR_NP;
    if (hcr & (ctlr & CTLR_EN_GRP0 ? HCR_VGRP0EIE : HCR_VGRP0DIE))
      misr |= ctlr & CTLR_EN_GRP0 ? MISR_VGRP0E : MISR_VGRP0D;
    if (hcr & (ctlr & CTLR_EN_GRP1 ? HCR_VGRP1EIE : HCR_VGRP1DIE))
      misr |= ctlr & CTLR_EN_GRP1 ? MISR_VGRP1E : MISR_VGRP1D;
    this.misr = misr;
    this.gic.setLevel(MAINTENANCE_INTID, (hcr & HCR_EN) !== 0 && misr !== 0);

    let virq = false;
    let vfiq = false;
    this.currentLr = -1;
    if (hcr & HCR_EN && ctlr & (CTLR_EN_GRP0 | CTLR_EN_GRP1) && bestPrio < this.pmr) {
      this.currentLr = best; // (an LR: bestPrio < PMR <= 0xf8)
      const group = this.lr[best]! & LR_GRP1 ? CTLR_EN_GRP1 : CTLR_EN_GRP0;
      if (bestPrio < this.running && ctlr & group) {
        if (group === CTLR_EN_GRP0 && ctlr & CTLR_FIQEN) vfiq = true;
        else virq = true;
      }
    }
    if (virq !== this.virqOut || vfiq !== this.vfiqOut) {
      this.virqOut = virq;
      this.vfiqOut = vfiq;
      this.setVirtLines(virq, vfiq);
    }
  }

  // ---- the virtual CPU interface ---------------------------------------------------

  /** GICV_HPPIR view of the current pending interrupt (1022 for group 1 without AckCtl). */
  private pendingId(): number {
    if (this.currentLr < 0) return SPURIOUS;
    const e = this.lr[this.currentLr]!;
    if (e & LR_GRP1 && !(this.ctlr & CTLR_ACKCTL)) return 1022;
    return e & 0x3ff;
  }

  /** GICV_IAR read: the pending LR becomes active at its group priority. */
  acknowledge(): number {
    const id = this.pendingId();
    if (id >= 1020) return id;
    const i = this.currentLr;
    const e = this.lr[i]!;
    if (lrPriority(e) >= this.running) return SPURIOUS;
    const bpr = e & LR_GRP1 && !(this.ctlr & CTLR_CBPR) ? this.abpr - 1 : this.bpr;
    const prio = lrPriority(e) & ((~0 << (bpr + 1)) & 0xff);
    this.apr = (this.apr | (1 << (prio >> 3))) >>> 0;
    this.running = prio;
    this.lr[i] = (e & ~LR_STATE) | LR_ACTIVE;
    this.update();
    // a virtual SGI reports its source CPU from LR.CPUID
    return id < 16 ? id | (e & (7 << 10)) : id;
  }

  /** GICV_EOIR write: priority drop, and deactivation unless EOImode. */
  endOfInterrupt(id: number): void {
    if (id >= 1020) return;
    const dropped = this.apr !== 0;
    this.apr = (this.apr & (this.apr - 1)) >>> 0; // the highest active priority
    this.running = this.prioFromApr();
    if (!(this.ctlr & CTLR_EOIMODE)) {
      const i = this.activeLr(id);
      if (i >= 0) this.deactivateLr(i);
      else if (dropped) this.countUnmatchedEoi();
    }
    this.update();
  }

  /** GICV_DIR write (EOImode 1 only). */
  deactivate(id: number): void {
    if (id >= 1020 || !(this.ctlr & CTLR_EOIMODE)) return;
    const i = this.activeLr(id);
    if (i >= 0) this.deactivateLr(i);
    else this.countUnmatchedEoi();
    this.update();
  }

  /** The first LR holding `id` active (or active and pending), or -1. */
  private activeLr(id: number): number {
    for (let i = 0; i < NUM_LRS; i++) {
      const e = this.lr[i]!;
      if ((e & 0x3ff) === id && e & LR_ACTIVE) return i;
    }
    return -1;
  }

  private deactivateLr(i: number): void {
    const e = this.lr[i]!;
    this.lr[i] = (e & ~LR_ACTIVE) >>> 0;
    if (e & LR_HW) this.gic.deactivatePhysical((e >>> 10) & 0x3ff);
  }

  /** An EOI or deactivation with no LR for it: GICH_HCR.EOICount++ (modulo 32). */
  private countUnmatchedEoi(): void {
    this.hcr = (this.hcr + HCR_EOICOUNT_ONE) >>> 0;
  }

  private prioFromApr(): number {
    return this.apr ? ctz32(this.apr) << 3 : IDLE_PRIORITY;
  }

  private vcpuRead(off: number): number {
    switch (off) {
      case 0x00:
        return this.ctlr;
      case 0x04:
        return this.pmr;
      case 0x08:
        return this.bpr;
      case 0x0c:
        return this.acknowledge();
      case 0x14:
        return Math.min(this.running, 0xff); // idle (0x100) reads 0xff
      case 0x18:
        return this.pendingId();
      case 0x1c:
        return this.abpr;
      case 0xd0:
        return this.apr;
      case 0xfc:
        return 0x0002043b; // GICV_IIDR: GICv2, Arm
      default:
        return 0; // includes AIAR/AEOIR/AHPPIR, which QEMU does not implement
    }
  }

  private vcpuWrite(off: number, v: number): void {
    switch (off) {
      case 0x00:
        this.ctlr = v & CTLR_WRITABLE;
        break;
      case 0x04:
        this.pmr = v & PRIORITY_MASK;
        break;
      case 0x08:
        this.bpr = Math.max(v & 7, MIN_BPR);
        break;
      case 0x10:
        this.endOfInterrupt(v & 0x3ff);
        return;
      case 0x1c:
        this.abpr = Math.max(v & 7, GICV_ABPR_WRITE_MIN);
        break;
      case 0xd0:
        this.apr = v;
        this.running = this.prioFromApr();
        break;
      case 0x1000:
        this.deactivate(v & 0x3ff);
        return;
      default:
        return;
    }
    this.update();
  }

  // ---- the virtual interface control registers -------------------------------------

  /** GICH_VMCR: the virtual CPU interface's CTLR, ABPR, BPR and PMR (PMR[7:3]). */
  private get vmcr(): number {
    return (this.ctlr | (this.abpr << 18) | (this.bpr << 21) | ((this.pmr >> 3) << 27)) >>> 0;
  }

  private set vmcr(v: number) {
    this.ctlr = v & CTLR_WRITABLE;
    this.abpr = Math.max((v >>> 18) & 7, MIN_ABPR);
    this.bpr = Math.max((v >>> 21) & 7, MIN_BPR);
    this.pmr = ((v >>> 27) << 3) & PRIORITY_MASK;
  }

  /** Bit n set for each LR n that satisfies `test`: GICH_EISR0 / GICH_ELRSR0. */
  private lrBits(test: (e: number) => boolean): number {
    let r = 0;
    for (let i = 0; i < NUM_LRS; i++) if (test(this.lr[i]!)) r |= 1 << i;
    return r;
  }

  private hypRead(off: number): number {
    switch (off) {
      case 0x00:
        return this.hcr;
      case 0x04:
        return GICH_VTR;
      case 0x08:
        return this.vmcr;
      case 0x10:
        return this.misr;
      case 0x20:
        return this.lrBits(isEoiLr);
      case 0x30:
        return this.lrBits(isEmptyLr);
      case 0xf0:
        return this.apr;
      default:
        if (off >= 0x100 && off < 0x100 + 4 * NUM_LRS && !(off & 3)) return this.lr[(off - 0x100) >> 2]!;
        return 0; // includes EISR1/ELRSR1: no LRs 32-63
    }
  }

  private hypWrite(off: number, v: number): void {
    switch (off) {
      case 0x00:
        this.hcr = (v & HCR_WRITABLE) >>> 0;
        break;
      case 0x08:
        this.vmcr = v;
        break;
      case 0xf0:
        this.apr = v;
        this.running = this.prioFromApr();
        break;
      default:
        if (off < 0x100 || off >= 0x100 + 4 * NUM_LRS || off & 3) return;
        this.lr[(off - 0x100) >> 2] = v & LR_WRITABLE;
    }
    this.update();
  }
}

/** LR.Priority holds priority bits [7:3]. */
function lrPriority(e: number): number {
  return (e >>> 20) & PRIORITY_MASK;
}

/** GICH_EISR: an invalid software LR with EOI = 1, i.e. one whose interrupt has been
 * deactivated and which asks for a maintenance interrupt. */
function isEoiLr(e: number): boolean {
  return (e & (LR_STATE | LR_HW | LR_EOI)) === LR_EOI;
}

/** GICH_ELRSR: an invalid LR that is not waiting to be reported in GICH_EISR. */
function isEmptyLr(e: number): boolean {
  return (e & LR_STATE) === 0 && !isEoiLr(e);
}
