// GICv2 interrupt controller for one CPU, as QEMU 7.2 models it on `-M virt` (GIC
// revision 2, no security extensions): the distributor (GICD, 4 KiB at 0x08000000) and
// the CPU interface (GICC, 8 KiB at 0x08010000, GICC_DIR at +0x1000), both bus devices.
// The virtualization extensions (GICH, GICV, the maintenance interrupt) are
// runtime/vgic.ts; with them QEMU's distributor and CPU interface are unchanged (same
// GICD_TYPER, IIDRs and 8 priority bits).
//
// Interrupts: 288 INTIDs (16 SGIs, 16 PPIs, 256 SPIs: GICD_TYPER.ITLinesNumber = 8).
// Each has enable, pending (a latch), active, group, priority (8 bits), edge/level
// configuration, and the input level. An interrupt is pending when its latch is set or,
// level-sensitive, while its input is high. SGIs are always enabled and edge-triggered
// and remember their source CPUs (always CPU 0 here). With a single CPU the target
// registers are RAZ/WI and every interrupt targets CPU 0.
//
// Without the security extensions the single CPU interface sees both groups as a Secure
// access would: group 0 is signalled as FIQ when GICC_CTLR.FIQEn, else as IRQ; a group 1
// interrupt is acknowledged only with GICC_CTLR.AckCtl (else IAR/HPPIR read 1022).
// Priority: acknowledging sets the running priority to the group priority (BPR) and a
// bit in the active priority registers; EOIR drops the priority (lowest APR bit) and,
// unless GICC_CTLR.EOImode, deactivates; with EOImode, GICC_DIR deactivates.
// Unknown offsets read as zero and ignore writes (QEMU logs them as guest errors);
// GICC_AIAR/AEOIR/AHPPIR are not implemented by QEMU either.

import type { Device } from "../src/mem/bus.js";

export const GIC_NUM_IRQ = 288;
export const GICD_BASE = 0x08000000;
export const GICC_BASE = 0x08010000;
export const GICD_SIZE = 0x1000;
export const GICC_SIZE = 0x2000;
export const SPURIOUS = 1023;

const NUM_APRS = 4;
/** GICC_CTLR bits writable without the security extensions (EnableGrp0/1, AckCtl, FIQEn, CBPR, EOImode). */
const GICC_CTLR_MASK = 0x21f;
const CTLR_EN_GRP0 = 1;
const CTLR_EN_GRP1 = 2;
const GICC_ACKCTL = 1 << 2;
const GICC_FIQEN = 1 << 3;
const GICC_CBPR = 1 << 4;
const GICC_EOIMODE = 1 << 9;
/** GICD_PIDR/CIDR bytes at 0xfd0..0xffc for a GICv2. */
const ID_GICV2 = [0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class Gic {
  readonly enabled = new Uint8Array(GIC_NUM_IRQ);
  readonly pending = new Uint8Array(GIC_NUM_IRQ);
  readonly active = new Uint8Array(GIC_NUM_IRQ);
  readonly level = new Uint8Array(GIC_NUM_IRQ);
  readonly edge = new Uint8Array(GIC_NUM_IRQ);
  readonly group = new Uint8Array(GIC_NUM_IRQ);
  readonly priority = new Uint8Array(GIC_NUM_IRQ);
  /** Per SGI: bitmask of source CPUs it is pending from. */
  readonly sgiSources = new Uint8Array(16);
  /** GICD_CTLR (EnableGrp0, EnableGrp1). */
  dctlr = 0;
  /** GICC_CTLR, PMR, BPR, ABPR. */
  cctlr = 0;
  pmr = 0;
  bpr = 0;
  abpr = 1;
  readonly apr = new Uint32Array(NUM_APRS);
  readonly nsapr = new Uint32Array(NUM_APRS);
  /** Running priority: 0x100 when idle. */
  running = 0x100;
  /** Highest priority pending interrupt above PMR (1023: none). */
  currentPending = SPURIOUS;
  /** Output levels to the CPU. */
  irqOut = false;
  fiqOut = false;

  readonly distributor: Device;
  readonly cpuInterface: Device;

  /** `setLines` drives the CPU's IRQ and FIQ inputs. */
  constructor(private readonly setLines: (irq: boolean, fiq: boolean) => void) {
    this.distributor = {
      name: "gic-dist",
      base: GICD_BASE,
      size: GICD_SIZE,
      read: (o, s) => this.distRead(o, s),
      write: (o, s, v) => this.distWrite(o, s, v),
    };
    this.cpuInterface = {
      name: "gic-cpu",
      base: GICC_BASE,
      size: GICC_SIZE,
      read: (o) => this.cpuRead(o),
      write: (o, _s, v) => this.cpuWrite(o, v),
    };
    this.reset();
  }

  reset(): void {
    for (const a of [
      this.enabled,
      this.pending,
      this.active,
      this.level,
      this.edge,
      this.group,
      this.priority,
    ])
      a.fill(0);
    this.sgiSources.fill(0);
    for (let i = 0; i < 16; i++) {
      this.enabled[i] = 1;
      this.edge[i] = 1;
    }
    this.dctlr = 0;
    this.cctlr = 0;
    this.pmr = 0;
    this.bpr = 0;
    this.abpr = 1;
    this.apr.fill(0);
    this.nsapr.fill(0);
    this.running = 0x100;
    this.update();
  }

  // ---- inputs ------------------------------------------------------------------------

  /** A device or timer drives interrupt line `intid` (PPI 16-31 or SPI 32-287). */
  setLevel(intid: number, high: boolean): void {
    if (intid < 16 || intid >= GIC_NUM_IRQ) throw new Error(`GIC: no input line for INTID ${intid}`);
    const l = high ? 1 : 0;
    if (this.level[intid] === l) return;
    this.level[intid] = l;
    if (l && this.edge[intid]) this.pending[intid] = 1; // rising edge
    this.update();
  }

  isPending(i: number): boolean {
    return this.pending[i] !== 0 || (this.edge[i] === 0 && this.level[i] !== 0);
  }

  // ---- priority logic --------------------------------------------------------------

  /** Recompute the highest priority pending interrupt and the IRQ/FIQ outputs. */
  update(): void {
    this.currentPending = SPURIOUS;
    let irq = false;
    let fiq = false;
    if (this.dctlr & (CTLR_EN_GRP0 | CTLR_EN_GRP1) && this.cctlr & (CTLR_EN_GRP0 | CTLR_EN_GRP1)) {
      let best = SPURIOUS;
      let bestPrio = 0x100;
      for (let i = 0; i < GIC_NUM_IRQ; i++) {
        if (this.enabled[i] && !this.active[i] && this.isPending(i) && this.priority[i]! < bestPrio) {
          bestPrio = this.priority[i]!;
          best = i;
        }
      }
      if (bestPrio < this.pmr) {
        this.currentPending = best;
        if (bestPrio < this.running) {
          const g = this.group[best]!;
          if (this.dctlr & (1 << g) && this.cctlr & (1 << g)) {
            if (g === 0 && this.cctlr & GICC_FIQEN) fiq = true;
            else irq = true;
          }
        }
      }
    }
    if (irq !== this.irqOut || fiq !== this.fiqOut) {
      this.irqOut = irq;
      this.fiqOut = fiq;
      this.setLines(irq, fiq);
    }
  }

  /** GICC_HPPIR view of the current pending interrupt (1022 for group 1 without AckCtl). */
  private pendingId(): number {
    const p = this.currentPending;
    if (p < SPURIOUS && this.group[p] && !(this.cctlr & GICC_ACKCTL)) return 1022;
    return p;
  }

  private groupPriority(irq: number): number {
    const bpr = this.group[irq] && !(this.cctlr & GICC_CBPR) ? this.abpr - 1 : this.bpr;
    return this.priority[irq]! & ((~0 << ((bpr & 7) + 1)) & 0xff);
  }

  private prioFromApr(): number {
    for (let i = 0; i < NUM_APRS; i++) {
      const a = (this.apr[i]! | this.nsapr[i]!) >>> 0;
      if (a) return (i * 32 + ctz32(a)) << 1;
    }
    return 0x100;
  }

  /** GICC_IAR read. */
  acknowledge(): number {
    const irq = this.pendingId();
    if (irq >= 1020) return irq;
    if (this.priority[irq]! >= this.running) return SPURIOUS;
    // activate: running priority and active priority bit
    const prio = this.groupPriority(irq);
    const level = prio >> 1;
    const aprs = this.group[irq] ? this.nsapr : this.apr;
    aprs[level >> 5] = (aprs[level >> 5]! | (1 << (level & 31))) >>> 0;
    this.running = prio;
    this.active[irq] = 1;
    let ret = irq;
    if (irq < 16) {
      const src = ctz32(this.sgiSources[irq]!);
      this.sgiSources[irq] = this.sgiSources[irq]! & ~(1 << src);
      if (this.sgiSources[irq] === 0) this.pending[irq] = 0;
      ret = irq | ((src & 7) << 10);
    } else this.pending[irq] = 0;
    this.update();
    return ret;
  }

  /** GICC_EOIR write. */
  endOfInterrupt(irq: number): void {
    if (irq >= GIC_NUM_IRQ || this.running === 0x100) return;
    const aprs = this.group[irq] ? this.nsapr : this.apr;
    for (let i = 0; i < NUM_APRS; i++) {
      if (aprs[i]) {
        aprs[i] = (aprs[i]! & (aprs[i]! - 1)) >>> 0; // drop the highest active priority
        break;
      }
    }
    this.running = this.prioFromApr();
    if (!(this.cctlr & GICC_EOIMODE)) this.active[irq] = 0;
    this.update();
  }

  /** GICC_DIR write. */
  deactivate(irq: number): void {
    if (irq >= GIC_NUM_IRQ || !(this.cctlr & GICC_EOIMODE)) return;
    this.active[irq] = 0;
  }

  /** Deactivation forwarded by a virtual CPU interface list register with HW = 1
   * (IHI 0048B, GICH_LRn.HW): whatever GICC_CTLR.EOImode; SGIs and INTIDs beyond 287 are
   * ignored (UNPREDICTABLE). (QEMU does not re-evaluate the physical outputs here; a
   * pending interrupt that was held back by its active state is signalled at once.) */
  deactivatePhysical(irq: number): void {
    if (irq < 16 || irq >= GIC_NUM_IRQ) return;
    this.active[irq] = 0;
    this.update();
  }

  // ---- distributor registers ---------------------------------------------------------

  private distRead(off: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.distReadByte(off + i) << (8 * i);
    return v >>> 0;
  }

  private bits8(a: Uint8Array, base: number): number {
    if (base >= GIC_NUM_IRQ) return 0;
    let r = 0;
    for (let i = 0; i < 8; i++) if (a[base + i]) r |= 1 << i;
    return r;
  }

  private distReadByte(off: number): number {
    if (off < 0x80) {
      switch (off) {
        case 0x000:
          return this.dctlr;
        case 0x004:
          return GIC_NUM_IRQ / 32 - 1; // ITLinesNumber; CPUNumber 0; no SecurityExtn
        case 0x008:
          return 0x3b; // GICD_IIDR: Arm (JEP106 0x43b)
        case 0x009:
          return 0x04;
        default:
          return 0;
      }
    }
    if (off < 0x100) return this.bits8(this.group, (off - 0x80) * 8);
    if (off < 0x200) return this.bits8(this.enabled, ((off - 0x100) & 0x7f) * 8);
    if (off < 0x300) {
      const base = ((off - 0x200) & 0x7f) * 8;
      if (base >= GIC_NUM_IRQ) return 0;
      let r = 0;
      for (let i = 0; i < 8; i++) if (this.isPending(base + i)) r |= 1 << i;
      return r;
    }
    if (off < 0x400) return this.bits8(this.active, ((off - 0x300) & 0x7f) * 8);
    if (off < 0x800) {
      const irq = off - 0x400;
      return irq < GIC_NUM_IRQ ? this.priority[irq]! : 0;
    }
    if (off < 0xc00) return 0; // ITARGETSR: RAZ/WI on a uniprocessor GIC
    if (off < 0xf00) {
      const base = (off - 0xc00) * 4;
      if (base >= GIC_NUM_IRQ) return 0;
      let r = 0;
      for (let i = 0; i < 4; i++) if (this.edge[base + i]) r |= 2 << (2 * i);
      return r;
    }
    if (off >= 0xf10 && off < 0xf30) return this.sgiSources[(off - 0xf10) & 15]!; // C/SPENDSGIR
    if (off >= 0xfd0 && off < 0x1000) return off & 3 ? 0 : ID_GICV2[(off - 0xfd0) >> 2]!;
    return 0;
  }

  private distWrite(off: number, size: number, v: number): void {
    if (off === 0xf00 && size === 4) {
      this.softwareInterrupt(v >>> 0);
      return;
    }
    for (let i = 0; i < size; i++) this.distWriteByte(off + i, (v >>> (8 * i)) & 0xff);
    this.update();
  }

  /** GICD_SGIR. */
  private softwareInterrupt(v: number): void {
    const irq = v & 0xf;
    let targets: number;
    switch ((v >>> 24) & 3) {
      case 0:
        targets = (v >>> 16) & 0xff;
        break;
      case 1:
        targets = 0xfe; // all but self
        break;
      case 2:
        targets = 1; // self
        break;
      default:
        targets = 0xff;
        break;
    }
    if (targets & 1) {
      this.pending[irq] = 1;
      this.sgiSources[irq] = this.sgiSources[irq]! | 1; // from CPU 0
    }
    this.update();
  }

  private distWriteByte(off: number, v: number): void {
    if (off < 0x80) {
      if (off === 0) this.dctlr = v & (CTLR_EN_GRP0 | CTLR_EN_GRP1);
      return;
    }
    if (off < 0x100) {
      const base = (off - 0x80) * 8;
      if (base < GIC_NUM_IRQ) for (let i = 0; i < 8; i++) this.group[base + i] = (v >> i) & 1;
      return;
    }
    if (off < 0x400) {
      const reg = (off - 0x100) >> 7; // 0 ISENABLER 1 ICENABLER 2 ISPENDR 3 ICPENDR 4 ISACTIVER 5 ICACTIVER
      const base = ((off - 0x100) & 0x7f) * 8;
      if (base >= GIC_NUM_IRQ) return;
      if (base < 16 && reg <= 3) return; // SGI enables are fixed; SGI pending via SPENDSGIR
      for (let i = 0; i < 8; i++) {
        if (!((v >> i) & 1)) continue;
        const irq = base + i;
        switch (reg) {
          case 0:
            this.enabled[irq] = 1;
            break;
          case 1:
            this.enabled[irq] = 0;
            break;
          case 2:
            this.pending[irq] = 1;
            break;
          case 3:
            this.pending[irq] = 0;
            break;
          case 4:
            this.active[irq] = 1;
            break;
          default:
            this.active[irq] = 0;
            break;
        }
      }
      return;
    }
    if (off < 0x800) {
      const irq = off - 0x400;
      if (irq < GIC_NUM_IRQ) this.priority[irq] = v;
      return;
    }
    if (off < 0xc00) return; // ITARGETSR: RAZ/WI on a uniprocessor GIC
    if (off < 0xf00) {
      const base = (off - 0xc00) * 4;
      if (base >= GIC_NUM_IRQ) return;
      if (base < 16) v |= 0xaa; // SGIs are always edge-triggered
      for (let i = 0; i < 4; i++) this.edge[base + i] = (v >> (2 * i + 1)) & 1;
      return;
    }
    if (off >= 0xf10 && off < 0xf20) {
      const irq = off - 0xf10;
      this.sgiSources[irq] = this.sgiSources[irq]! & ~v;
      if (this.sgiSources[irq] === 0) this.pending[irq] = 0;
      return;
    }
    if (off >= 0xf20 && off < 0xf30) {
      const irq = off - 0xf20;
      // (QEMU sets the pending bit even for a zero byte, and later asserts when that SGI
      // is acknowledged without a source; we follow the spec: writing 0 has no effect)
      if (v === 0) return;
      this.pending[irq] = 1;
      this.sgiSources[irq] = this.sgiSources[irq]! | v;
    }
  }

  // ---- CPU interface registers -------------------------------------------------------

  private cpuRead(off: number): number {
    switch (off) {
      case 0x00:
        return this.cctlr;
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
      case 0xd4:
      case 0xd8:
      case 0xdc:
        return this.apr[(off - 0xd0) >> 2]! | 0;
      case 0xe0:
      case 0xe4:
      case 0xe8:
      case 0xec:
        return this.nsapr[(off - 0xe0) >> 2]! | 0;
      case 0xfc:
        return 0x0002043b; // GICC_IIDR: GICv2, Arm
      default:
        return 0;
    }
  }

  private cpuWrite(off: number, v: number): void {
    switch (off) {
      case 0x00:
        this.cctlr = v & GICC_CTLR_MASK;
        break;
      case 0x04:
        this.pmr = v & 0xff;
        break;
      case 0x08:
        this.bpr = v & 7;
        break;
      case 0x10:
        this.endOfInterrupt(v & 0x3ff);
        return;
      case 0x1c:
        this.abpr = Math.max(v & 7, 1);
        break;
      case 0xd0:
      case 0xd4:
      case 0xd8:
      case 0xdc:
        this.apr[(off - 0xd0) >> 2] = v >>> 0;
        this.running = this.prioFromApr();
        break;
      case 0xe0:
      case 0xe4:
      case 0xe8:
      case 0xec:
        this.nsapr[(off - 0xe0) >> 2] = v >>> 0;
        this.running = this.prioFromApr();
        break;
      case 0x1000:
        this.deactivate(v & 0x3ff);
        break;
      default:
        return;
    }
    this.update();
  }
}

export function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}
