// The GICv2 state machine (runtime/gic.ts) through its register interface: SGIs,
// priorities and preemption, level- and edge-triggered lines from devices, EOImode and
// GICC_DIR, groups, and the IRQ/FIQ outputs. (Register values are checked against
// QEMU by fixtures/src/diff_gic.S; these tests cover what a fixture cannot drive, such
// as device input lines.)

import { describe, expect, it } from "vitest";
import { Gic, SPURIOUS } from "../../runtime/gic.js";

function make() {
  const out = { irq: false, fiq: false, changes: 0 };
  const g = new Gic((irq, fiq) => {
    out.irq = irq;
    out.fiq = fiq;
    out.changes++;
  });
  const d = (off: number, v?: number) => {
    if (v === undefined) return g.distributor.read(off, 4);
    g.distributor.write(off, 4, v >>> 0);
    return 0;
  };
  const c = (off: number, v?: number) => {
    if (v === undefined) return g.cpuInterface.read(off, 4);
    g.cpuInterface.write(off, 4, v >>> 0);
    return 0;
  };
  return { g, out, d, c };
}

function enable(d: (o: number, v?: number) => number, c: (o: number, v?: number) => number) {
  d(0x000, 1);
  c(0x00, 1);
  c(0x04, 0xff);
}

describe("GICv2", () => {
  it("has QEMU virt's reset values", () => {
    const { d, c } = make();
    expect(d(0x004)).toBe(8); // 288 interrupts, 1 CPU, no security extensions
    expect(d(0x008)).toBe(0x43b);
    expect(d(0x100)).toBe(0xffff); // SGIs always enabled
    expect(d(0xc00)).toBe(0xaaaaaaaa); // SGIs edge-triggered
    expect(d(0xc04)).toBe(0);
    expect(c(0x0c)).toBe(SPURIOUS);
    expect(c(0x14)).toBe(0xff);
    expect(c(0x1c)).toBe(1);
    expect(c(0xfc)).toBe(0x0002043b);
  });

  it("SGI to self: pending, acknowledge with source, priority drop", () => {
    const { d, c, out } = make();
    enable(d, c);
    d(0x404, 0x0000a000); // SGI5 priority 0xa0
    d(0xf00, 0x02000005);
    expect(out.irq).toBe(true);
    expect(d(0x200)).toBe(1 << 5);
    expect(c(0x18)).toBe(5);
    expect(c(0x0c)).toBe(5);
    expect(out.irq).toBe(false);
    expect(c(0x14)).toBe(0xa0);
    expect(d(0x300)).toBe(1 << 5);
    expect(c(0xd8)).toBe(1 << 16); // preemption level 0xa0 >> 1 = 80: APR2 bit 16
    c(0x10, 5);
    expect(c(0x14)).toBe(0xff);
    expect(d(0x300)).toBe(0);
  });

  it("preemption, running priority and PMR", () => {
    const { d, c, out } = make();
    enable(d, c);
    d(0x400, 0x40000000); // SGI3 0x40
    d(0x404, 0x6000a000); // SGI5 0xa0, SGI7 0x60
    d(0xf00, 0x02000005);
    expect(c(0x0c)).toBe(5);
    d(0xf00, 0x02000007);
    expect(out.irq).toBe(true); // 0x60 < 0xa0: preempts
    d(0xf00, 0x02000003);
    expect(c(0x0c)).toBe(3);
    expect(out.irq).toBe(false); // 0x60 does not preempt 0x40
    expect(c(0x18)).toBe(7);
    expect(c(0x0c)).toBe(SPURIOUS);
    c(0x10, 3);
    expect(c(0x14)).toBe(0xa0);
    expect(out.irq).toBe(true);
    expect(c(0x0c)).toBe(7);
    c(0x10, 7);
    c(0x10, 5);
    expect(c(0x14)).toBe(0xff);
    // PMR masks lower priorities
    c(0x04, 0x50);
    d(0xf00, 0x02000005);
    expect(out.irq).toBe(false);
    expect(c(0x18)).toBe(SPURIOUS);
    c(0x04, 0xa1);
    expect(out.irq).toBe(true);
  });

  it("level-triggered device lines: pending while high, again after EOI", () => {
    const { g, d, c, out } = make();
    enable(d, c);
    d(0x104, 1 << 1); // enable SPI 33 (PL011)
    g.setLevel(33, true);
    expect(out.irq).toBe(true);
    expect(c(0x0c)).toBe(33);
    expect(d(0x204) & 2).toBe(2); // still pending: the line is high
    expect(out.irq).toBe(false); // but active
    c(0x10, 33);
    expect(out.irq).toBe(true); // line still high: pending again
    expect(c(0x0c)).toBe(33);
    g.setLevel(33, false);
    expect(d(0x204) & 2).toBe(0);
    c(0x10, 33);
    expect(out.irq).toBe(false);
    expect(c(0x0c)).toBe(SPURIOUS);
  });

  it("level lines are pending even while disabled; enabling signals them", () => {
    const { g, d, c, out } = make();
    enable(d, c);
    g.setLevel(27, true);
    expect(d(0x200)).toBe(1 << 27);
    expect(out.irq).toBe(false);
    d(0x100, 1 << 27);
    expect(out.irq).toBe(true);
    g.setLevel(27, false);
    expect(out.irq).toBe(false);
    expect(d(0x200)).toBe(0);
  });

  it("edge-triggered lines latch the rising edge", () => {
    const { g, d, c, out } = make();
    enable(d, c);
    d(0xc08, 0x2 << 4); // INTID 34 (PL031) edge-triggered
    d(0x104, 1 << 2);
    g.setLevel(34, true);
    g.setLevel(34, false);
    expect(out.irq).toBe(true);
    expect(c(0x0c)).toBe(34);
    expect(d(0x204) & 4).toBe(0);
    c(0x10, 34);
    expect(out.irq).toBe(false);
  });

  it("EOImode: EOIR drops the priority, GICC_DIR deactivates", () => {
    const { d, c } = make();
    enable(d, c);
    c(0x00, 0x201);
    d(0xf00, 0x02000005);
    expect(c(0x0c)).toBe(5);
    c(0x10, 5);
    expect(c(0x14)).toBe(0xff);
    expect(d(0x300)).toBe(1 << 5);
    d(0xf00, 0x02000005);
    expect(c(0x18)).toBe(SPURIOUS); // active interrupts are not the HPPI
    c(0x1000, 5);
    expect(d(0x300)).toBe(0);
    expect(c(0x18)).toBe(5);
  });

  it("groups: group 1 needs AckCtl; group 0 with FIQEn is an FIQ", () => {
    const { d, c, out } = make();
    d(0x000, 3);
    c(0x04, 0xff);
    d(0x080, 1 << 6);
    c(0x00, 3);
    d(0xf00, 0x02000006);
    expect(out.irq).toBe(true);
    expect(c(0x18)).toBe(1022);
    expect(c(0x0c)).toBe(1022);
    c(0x00, 7);
    expect(c(0x0c)).toBe(6);
    expect(c(0xe0)).toBe(1); // NSAPR0 bit 0 (priority 0)
    c(0x10, 6);
    c(0x00, 0x9);
    d(0xf00, 0x02000005);
    expect(out.fiq).toBe(true);
    expect(out.irq).toBe(false);
  });

  it("SGI sources through SPENDSGIR / CPENDSGIR", () => {
    const { g, d, c } = make();
    enable(d, c);
    g.distributor.write(0xf21, 1, 0x02); // SGI1 from CPU1
    expect(d(0xf20)).toBe(0x0200);
    expect(c(0x0c)).toBe(0x401);
    c(0x10, 0x401);
    g.distributor.write(0xf20, 1, 0x01);
    g.distributor.write(0xf10, 1, 0x01);
    expect(d(0x200)).toBe(0);
    g.distributor.write(0xf22, 1, 0); // a zero byte sets nothing
    expect(d(0x200)).toBe(0);
  });
});
