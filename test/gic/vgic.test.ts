// The GICv2 virtualization extensions (runtime/vgic.ts) through their registers, with
// the expectations written from the GICv2 specification (IHI 0048B chapter 5): list
// register lifecycle, priorities, groups, EOImode, HW interrupts, EOICount and the
// maintenance interrupt conditions. (vgic-qemu.test.ts replays register sequences on
// QEMU for the values the specification leaves to the implementation.)

import { describe, expect, it } from "vitest";
import { Gic, SPURIOUS } from "../../runtime/gic.js";
import { VGic } from "../../runtime/vgic.js";

// GICH register offsets
const HCR = 0x00;
const VTR = 0x04;
const VMCR = 0x08;
const MISR = 0x10;
const EISR0 = 0x20;
const ELRSR0 = 0x30;
const APR = 0xf0;
const LR0 = 0x100;
// GICV register offsets
const CTLR = 0x00;
const PMR = 0x04;
const BPR = 0x08;
const IAR = 0x0c;
const EOIR = 0x10;
const RPR = 0x14;
const HPPIR = 0x18;
const ABPR = 0x1c;
const APR0 = 0xd0;
const IIDR = 0xfc;
const DIR = 0x1000;

// GICH_HCR and GICH_MISR bits
const EN = 1 << 0;
const UIE = 1 << 1;
const LRENPIE = 1 << 2;
const NPIE = 1 << 3;
const VGRP0EIE = 1 << 4;
const VGRP0DIE = 1 << 5;
const VGRP1EIE = 1 << 6;
const VGRP1DIE = 1 << 7;
const MISR_EOI = 1 << 0;
const MISR_U = 1 << 1;
const MISR_LRENP = 1 << 2;
const MISR_NP = 1 << 3;
const MISR_VGRP0E = 1 << 4;
const MISR_VGRP0D = 1 << 5;
const MISR_VGRP1E = 1 << 6;
const MISR_VGRP1D = 1 << 7;
const eoiCount = (hcr: number) => hcr >>> 27;

// GICV_CTLR bits
const GRP0 = 1 << 0;
const GRP1 = 1 << 1;
const ACKCTL = 1 << 2;
const FIQEN = 1 << 3;
const CBPR = 1 << 4;
const EOIMODE = 1 << 9;

// GICH_LR<n>.State
const INVALID = 0;
const PENDING = 1;
const ACTIVE = 2;

interface LrFields {
  vid: number;
  /** 8-bit priority; the LR holds bits [7:3]. */
  prio: number;
  state: number;
  grp1?: boolean;
  /** HW = 0: ask for a maintenance interrupt on deactivation. */
  eoi?: boolean;
  /** HW = 0: source CPU of a virtual SGI. */
  cpuid?: number;
  /** HW = 1 with this physical INTID. */
  pid?: number;
}

/** A list register value, bit by bit from the GICH_LRn layout. */
function lr(f: LrFields): number {
  let v = f.vid | ((f.prio >> 3) << 23) | (f.state << 28);
  if (f.grp1) v |= 1 << 30;
  if (f.pid !== undefined) v |= (1 << 31) | (f.pid << 10);
  else v |= ((f.cpuid ?? 0) << 10) | (f.eoi ? 1 << 19 : 0);
  return v >>> 0;
}
const stateOf = (e: number) => (e >>> 28) & 3;

function make() {
  const lines = { virq: false, vfiq: false, calls: 0 };
  const phys = { irq: false, fiq: false };
  const gic = new Gic((irq, fiq) => {
    phys.irq = irq;
    phys.fiq = fiq;
  });
  const vgic = new VGic(gic, (virq, vfiq) => {
    lines.virq = virq;
    lines.vfiq = vfiq;
    lines.calls++;
  });
  const access = (dev: {
    read(o: number, s: number): number;
    write(o: number, s: number, v: number): void;
  }) => {
    return (off: number, v?: number): number => {
      if (v === undefined) return dev.read(off, 4) >>> 0;
      dev.write(off, 4, v >>> 0);
      return 0;
    };
  };
  const h = access(vgic.hypInterface);
  const v = access(vgic.vcpuInterface);
  const d = access(gic.distributor);
  const c = access(gic.cpuInterface);
  /** The maintenance interrupt's line, as the distributor sees it (PPI 25, level). */
  const maintenance = () => (d(0x200) >>> 25) & 1;
  /** A running virtual interface: GICH_HCR.En, both groups enabled, no priority mask. */
  const enable = (ctlr = GRP0 | GRP1) => {
    h(HCR, EN);
    v(CTLR, ctlr);
    v(PMR, 0xff);
  };
  return { gic, vgic, lines, phys, h, v, d, c, maintenance, enable };
}

describe("GICv2 virtualization extensions", () => {
  it("reset state and GICH_VTR", () => {
    const { h, v, lines, maintenance } = make();
    const vtr = h(VTR);
    expect((vtr & 0x3f) + 1).toBe(4); // ListRegs
    expect(((vtr >>> 26) & 7) + 1).toBe(5); // PREbits
    expect(((vtr >>> 29) & 7) + 1).toBe(5); // PRIbits
    expect(h(HCR)).toBe(0);
    expect(h(ELRSR0)).toBe(0xf); // every LR empty
    expect(h(EISR0)).toBe(0);
    expect(h(MISR)).toBe(0);
    expect(h(VMCR)).toBe((3 << 18) | (2 << 21)); // ABPR 3, BPR 2: minima for 5 bits
    expect(v(BPR)).toBe(2);
    expect(v(ABPR)).toBe(3);
    expect(v(RPR)).toBe(0xff); // idle
    expect(v(IAR)).toBe(SPURIOUS);
    expect(v(HPPIR)).toBe(SPURIOUS);
    expect(v(IIDR)).toBe(0x0002043b);
    expect(h(LR0 + 16)).toBe(0); // LR4: not implemented
    h(LR0 + 16, 0xffffffff);
    expect(h(LR0 + 16)).toBe(0);
    expect(lines).toEqual({ virq: false, vfiq: false, calls: 0 });
    expect(maintenance()).toBe(0);
  });

  it("LR lifecycle: pending, IAR -> active, EOIR -> invalid with the EOI maintenance interrupt", () => {
    const { h, v, lines, maintenance, enable } = make();
    enable();
    h(LR0, lr({ vid: 42, prio: 0x50, state: PENDING, eoi: true }));
    expect(h(ELRSR0)).toBe(0xe);
    expect(lines.virq).toBe(true); // group 0 without FIQEn: an IRQ
    expect(lines.vfiq).toBe(false);
    expect(v(HPPIR)).toBe(42);

    expect(v(IAR)).toBe(42);
    expect(stateOf(h(LR0))).toBe(ACTIVE);
    expect(lines.virq).toBe(false);
    expect(v(RPR)).toBe(0x50);
    expect(h(APR)).toBe(1 << (0x50 >> 3)); // one bit per preemption level
    expect(v(APR0)).toBe(h(APR));
    expect(v(IAR)).toBe(SPURIOUS); // nothing else pending
    expect(h(EISR0)).toBe(0);
    expect(maintenance()).toBe(0);

    v(EOIR, 42);
    expect(stateOf(h(LR0))).toBe(INVALID);
    expect(v(RPR)).toBe(0xff);
    expect(h(APR)).toBe(0);
    expect(h(EISR0)).toBe(1); // deactivated with EOI = 1: reported...
    expect(h(ELRSR0)).toBe(0xe); // ...and not yet free
    expect(h(MISR) & MISR_EOI).toBe(MISR_EOI);
    expect(maintenance()).toBe(1);
    expect(h(HCR)).toBe(EN); // an EOI that matched an LR does not count

    h(LR0, 0); // the hypervisor retires the LR
    expect(h(EISR0)).toBe(0);
    expect(h(ELRSR0)).toBe(0xf);
    expect(h(MISR)).toBe(0);
    expect(maintenance()).toBe(0);
  });

  it("an LR without EOI leaves no maintenance request; pending and active is not signalled again", () => {
    const { h, v, lines, maintenance, enable } = make();
    enable();
    h(LR0, lr({ vid: 33, prio: 0x80, state: PENDING }));
    expect(v(IAR)).toBe(33);
    h(LR0, h(LR0) | (PENDING << 28)); // pending again while active
    expect(stateOf(h(LR0))).toBe(ACTIVE | PENDING);
    expect(lines.virq).toBe(false);
    expect(v(HPPIR)).toBe(SPURIOUS);
    v(EOIR, 33);
    expect(stateOf(h(LR0))).toBe(PENDING); // deactivation leaves it pending
    expect(lines.virq).toBe(true);
    expect(v(IAR)).toBe(33);
    v(EOIR, 33);
    expect(stateOf(h(LR0))).toBe(INVALID);
    expect(h(EISR0)).toBe(0);
    expect(h(ELRSR0)).toBe(0xf);
    expect(maintenance()).toBe(0);
  });

  it("highest priority LR wins; priority mask and running priority gate the line", () => {
    const { h, v, lines, enable } = make();
    enable();
    v(PMR, 0x40);
    h(LR0 + 0, lr({ vid: 100, prio: 0x80, state: PENDING }));
    h(LR0 + 4, lr({ vid: 101, prio: 0x40, state: PENDING }));
    expect(v(PMR)).toBe(0x40);
    expect(lines.virq).toBe(false); // 0x40 is not above a mask of 0x40
    expect(v(HPPIR)).toBe(SPURIOUS);
    v(PMR, 0x48);
    expect(lines.virq).toBe(true);
    expect(v(HPPIR)).toBe(101);
    v(PMR, 0xff);
    expect(v(PMR)).toBe(0xf8); // 5 priority bits

    expect(v(IAR)).toBe(101);
    expect(v(RPR)).toBe(0x40);
    expect(lines.virq).toBe(false); // 0x80 does not preempt 0x40
    expect(v(HPPIR)).toBe(100); // but is the highest pending
    expect(v(IAR)).toBe(SPURIOUS);

    h(LR0 + 8, lr({ vid: 102, prio: 0x38, state: PENDING }));
    expect(lines.virq).toBe(true); // 0x38 preempts
    expect(v(IAR)).toBe(102);
    expect(v(RPR)).toBe(0x38);
    expect(h(APR)).toBe((1 << 8) | (1 << 7));
    v(EOIR, 102);
    expect(v(RPR)).toBe(0x40); // back to the preempted interrupt
    expect(lines.virq).toBe(false);
    v(EOIR, 101);
    expect(v(RPR)).toBe(0xff);
    expect(lines.virq).toBe(true); // 100 is now signalled
  });

  it("the binary point sets the group priority (running priority and active priority bit)", () => {
    const { h, v, enable } = make();
    enable();
    v(BPR, 0);
    expect(v(BPR)).toBe(2); // minimum with 5 bits of group priority
    v(BPR, 4); // group priority = priority[7:5]
    h(LR0, lr({ vid: 50, prio: 0x58, state: PENDING }));
    expect(v(IAR)).toBe(50);
    expect(v(RPR)).toBe(0x40);
    expect(h(APR)).toBe(1 << (0x40 >> 3));
    // 0x48 has group priority 0x40 too: no preemption
    h(LR0 + 4, lr({ vid: 51, prio: 0x48, state: PENDING }));
    expect(v(IAR)).toBe(SPURIOUS);
    v(EOIR, 50);
    expect(v(IAR)).toBe(51);
  });

  it("group 0 is a virtual FIQ with FIQEn; group 1 needs AckCtl for IAR and uses ABPR", () => {
    const { h, v, lines, enable } = make();
    enable(GRP0 | GRP1 | FIQEN);
    h(LR0, lr({ vid: 7, prio: 0x20, state: PENDING }));
    expect(lines).toMatchObject({ virq: false, vfiq: true });
    v(CTLR, GRP1 | FIQEN); // group 0 disabled: not signalled at all
    expect(lines).toMatchObject({ virq: false, vfiq: false });
    expect(v(HPPIR)).toBe(7); // (the interface is enabled for group 1)
    h(LR0, 0);

    h(LR0 + 4, lr({ vid: 60, prio: 0x58, state: PENDING, grp1: true }));
    expect(lines).toMatchObject({ virq: true, vfiq: false }); // group 1 is always an IRQ
    expect(v(HPPIR)).toBe(1022);
    expect(v(IAR)).toBe(1022); // not acknowledged without AckCtl
    expect(stateOf(h(LR0 + 4))).toBe(PENDING);
    v(CTLR, GRP1 | ACKCTL);
    v(ABPR, 5); // group 1 group priority = priority[7:(ABPR)] ... ABPR - 1 = 4: [7:5]
    expect(v(IAR)).toBe(60);
    expect(v(RPR)).toBe(0x40);
    v(EOIR, 60);
    v(CTLR, GRP1 | ACKCTL | CBPR); // CBPR: BPR (2: [7:3]) for group 1 as well
    h(LR0 + 4, lr({ vid: 60, prio: 0x58, state: PENDING, grp1: true }));
    expect(v(IAR)).toBe(60);
    expect(v(RPR)).toBe(0x58);
  });

  it("EOImode 1: EOIR drops the priority, GICV_DIR deactivates", () => {
    const { h, v, lines, maintenance, enable } = make();
    enable(GRP0 | EOIMODE);
    h(LR0, lr({ vid: 77, prio: 0x60, state: PENDING, eoi: true }));
    expect(v(IAR)).toBe(77);
    v(EOIR, 77);
    expect(v(RPR)).toBe(0xff);
    expect(stateOf(h(LR0))).toBe(ACTIVE);
    expect(maintenance()).toBe(0);
    h(LR0, h(LR0) | (PENDING << 28));
    expect(lines.virq).toBe(false); // still active
    v(DIR, 77);
    expect(stateOf(h(LR0))).toBe(PENDING);
    expect(lines.virq).toBe(true);
    expect(v(IAR)).toBe(77);
    v(EOIR, 77);
    v(DIR, 77);
    expect(stateOf(h(LR0))).toBe(INVALID);
    expect(h(EISR0)).toBe(1);
    expect(maintenance()).toBe(1);
    expect(eoiCount(h(HCR))).toBe(0);
  });

  it("GICV_DIR is ignored with EOImode 0", () => {
    const { h, v, enable } = make();
    enable();
    h(LR0, lr({ vid: 77, prio: 0x60, state: PENDING }));
    expect(v(IAR)).toBe(77);
    v(DIR, 77);
    expect(stateOf(h(LR0))).toBe(ACTIVE);
    expect(eoiCount(h(HCR))).toBe(0);
    expect(v(RPR)).toBe(0x60);
  });

  it("deactivating an LR with HW = 1 deactivates the physical interrupt", () => {
    const { gic, h, v, d, c, phys, enable } = make();
    // The physical side as Xen runs it: EOImode 1, the timer's level-sensitive PPI 27
    // held high, acknowledged and priority-dropped by the hypervisor.
    d(0x000, 3);
    c(0x00, GRP0 | GRP1 | EOIMODE);
    c(0x04, 0xff);
    d(0x100, 1 << 27);
    gic.setLevel(27, true);
    expect(phys.irq).toBe(true);
    expect(c(0x0c)).toBe(27);
    c(0x10, 27);
    expect(d(0x300) & (1 << 27)).not.toBe(0);
    expect(phys.irq).toBe(false); // held back while active

    enable();
    h(LR0, lr({ vid: 27, prio: 0xa0, state: PENDING, pid: 27 }));
    expect(v(IAR)).toBe(27);
    v(EOIR, 27);
    expect(stateOf(h(LR0))).toBe(INVALID);
    expect(d(0x300) & (1 << 27)).toBe(0); // physical 27 deactivated
    expect(phys.irq).toBe(true); // and, still asserted, signalled again
    expect(h(EISR0)).toBe(0); // HW LRs never ask for the EOI maintenance interrupt
    expect(h(ELRSR0)).toBe(0xf);
  });

  it("HW = 1 with EOImode 1: the physical interrupt is deactivated by GICV_DIR", () => {
    const { h, v, d, enable } = make();
    d(0x304, 1 << 8); // ISACTIVER1: SPI 40 active
    d(0x300, 1 << 3); // ISACTIVER0: SGI 3 active
    enable(GRP0 | EOIMODE);
    h(LR0, lr({ vid: 90, prio: 0x10, state: PENDING, pid: 40 }));
    h(LR0 + 4, lr({ vid: 91, prio: 0x20, state: PENDING, pid: 3 }));
    expect(v(IAR)).toBe(90);
    v(EOIR, 90);
    expect(d(0x304)).toBe(1 << 8);
    v(DIR, 90);
    expect(d(0x304)).toBe(0);
    expect(v(IAR)).toBe(91);
    v(EOIR, 91);
    v(DIR, 91);
    expect(stateOf(h(LR0 + 4))).toBe(INVALID);
    expect(d(0x300)).toBe(1 << 3); // a physical SGI is not deactivated this way
  });

  it("EOIR or DIR without a matching LR counts in EOICount; LRENPIE raises MISR.LRENP", () => {
    const { h, v, maintenance, enable } = make();
    enable();
    h(HCR, EN | LRENPIE);
    v(EOIR, 5); // nothing active: no priority drop, no count
    expect(eoiCount(h(HCR))).toBe(0);
    expect(maintenance()).toBe(0);

    h(LR0, lr({ vid: 5, prio: 0x30, state: PENDING }));
    expect(v(IAR)).toBe(5);
    h(LR0, 0); // the hypervisor took the LR away (e.g. to make room)
    v(EOIR, 5);
    expect(v(RPR)).toBe(0xff); // the priority still drops
    expect(eoiCount(h(HCR))).toBe(1);
    expect(h(MISR)).toBe(MISR_LRENP);
    expect(maintenance()).toBe(1);
    h(HCR, EN | LRENPIE); // hypervisor handles and clears the count
    expect(h(MISR)).toBe(0);
    expect(maintenance()).toBe(0);

    v(CTLR, GRP0 | GRP1 | EOIMODE);
    for (let i = 0; i < 33; i++) v(DIR, 200 + i); // each unmatched DIR counts, modulo 32
    expect(eoiCount(h(HCR))).toBe(1);
    h(HCR, EN | (31 << 27));
    expect(h(MISR)).toBe(0); // without LRENPIE, no request
    expect(eoiCount(h(HCR))).toBe(31);
  });

  it("underflow (UIE): at most one valid LR", () => {
    const { h, maintenance } = make();
    h(HCR, EN | UIE);
    expect(h(MISR)).toBe(MISR_U);
    expect(maintenance()).toBe(1);
    h(LR0, lr({ vid: 1, prio: 0, state: ACTIVE }));
    expect(h(MISR)).toBe(MISR_U);
    h(LR0 + 8, lr({ vid: 2, prio: 0, state: PENDING }));
    expect(h(MISR)).toBe(0);
    expect(maintenance()).toBe(0);
    h(LR0, lr({ vid: 1, prio: 0, state: INVALID, eoi: true })); // invalid: not counted
    expect(h(MISR)).toBe(MISR_U | MISR_EOI);
  });

  it("no pending (NPIE): no LR in the pending state", () => {
    const { h } = make();
    h(HCR, EN | NPIE);
    expect(h(MISR)).toBe(MISR_NP);
    h(LR0, lr({ vid: 1, prio: 0, state: PENDING }));
    expect(h(MISR)).toBe(0);
    h(LR0, lr({ vid: 1, prio: 0, state: ACTIVE }));
    expect(h(MISR)).toBe(MISR_NP);
    // (active and pending: QEMU counts it as not pending; vgic-qemu.test.ts checks that)
  });

  it("group enable/disable maintenance requests follow the virtual GICV_CTLR", () => {
    const { h, v } = make();
    h(HCR, EN | VGRP0EIE | VGRP0DIE | VGRP1EIE | VGRP1DIE);
    expect(h(MISR)).toBe(MISR_VGRP0D | MISR_VGRP1D);
    v(CTLR, GRP0);
    expect(h(MISR)).toBe(MISR_VGRP0E | MISR_VGRP1D);
    h(VMCR, GRP1); // the same state through GICH_VMCR
    expect(h(MISR)).toBe(MISR_VGRP0D | MISR_VGRP1E);
    h(HCR, EN | VGRP1EIE);
    expect(h(MISR)).toBe(MISR_VGRP1E);
  });

  it("the maintenance interrupt needs GICH_HCR.En; MISR does not", () => {
    const { h, maintenance } = make();
    h(LR0, lr({ vid: 1, prio: 0, state: INVALID, eoi: true }));
    expect(h(MISR)).toBe(MISR_EOI);
    expect(maintenance()).toBe(0);
    h(HCR, EN);
    expect(maintenance()).toBe(1);
    h(HCR, 0);
    expect(maintenance()).toBe(0);
  });

  it("GICH_VMCR is the virtual CPU interface's CTLR, PMR, BPR and ABPR", () => {
    const { h, v } = make();
    const vmcr = (ctlr: number, abpr: number, bpr: number, pmr: number) =>
      (ctlr | (abpr << 18) | (bpr << 21) | ((pmr >> 3) << 27)) >>> 0;
    h(VMCR, vmcr(GRP0 | GRP1 | ACKCTL | FIQEN | CBPR | EOIMODE, 5, 4, 0xa8));
    expect(v(CTLR)).toBe(GRP0 | GRP1 | ACKCTL | FIQEN | CBPR | EOIMODE);
    expect(v(ABPR)).toBe(5);
    expect(v(BPR)).toBe(4);
    expect(v(PMR)).toBe(0xa8);
    v(CTLR, GRP1);
    v(PMR, 0x30);
    v(BPR, 6);
    v(ABPR, 7);
    expect(h(VMCR)).toBe(vmcr(GRP1, 7, 6, 0x30));
    h(VMCR, 0xffffffff); // reserved bits and CTLR bits 5-8 read as zero
    expect(h(VMCR)).toBe(vmcr(0x21f, 7, 7, 0xf8));
    h(VMCR, 0); // binary points clamp at their minima
    expect(h(VMCR)).toBe(vmcr(0, 3, 2, 0));
  });

  it("the virtual lines follow the interface state; the callback only sees changes", () => {
    const { h, v, lines } = make();
    h(LR0, lr({ vid: 9, prio: 0x40, state: PENDING }));
    v(CTLR, GRP0);
    v(PMR, 0xff);
    expect(lines.virq).toBe(false); // GICH_HCR.En = 0
    h(HCR, EN);
    expect(lines).toEqual({ virq: true, vfiq: false, calls: 1 });
    h(HCR, EN | NPIE); // unrelated change
    v(PMR, 0x80);
    expect(lines.calls).toBe(1);
    v(CTLR, GRP0 | FIQEN);
    expect(lines).toEqual({ virq: false, vfiq: true, calls: 2 });
    v(CTLR, 0);
    expect(lines).toEqual({ virq: false, vfiq: false, calls: 3 });
  });

  it("GICH_APR restores the running priority (a vCPU switched back in)", () => {
    const { h, v, lines, enable } = make();
    enable();
    h(APR, 1 << 4); // an interrupt of priority 0x20 is active
    expect(v(RPR)).toBe(0x20);
    expect(v(APR0)).toBe(1 << 4);
    h(LR0, lr({ vid: 3, prio: 0x20, state: PENDING }));
    expect(lines.virq).toBe(false);
    h(LR0, lr({ vid: 3, prio: 0x18, state: PENDING }));
    expect(lines.virq).toBe(true);
    v(APR0, 0);
    expect(v(RPR)).toBe(0xff);
  });

  it("a virtual SGI reports its source CPU from LR.CPUID", () => {
    const { h, v, enable } = make();
    enable();
    h(LR0, lr({ vid: 2, prio: 0x40, state: PENDING, cpuid: 5 }));
    expect(v(HPPIR)).toBe(2);
    expect(v(IAR)).toBe(2 | (5 << 10));
    v(EOIR, 2 | (5 << 10));
    expect(stateOf(h(LR0))).toBe(INVALID);
  });
});
