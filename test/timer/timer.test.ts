// The generic timer and virtual time (runtime/timer.ts, runtime/clock.ts) on a whole
// machine: 1 instruction = 1 ns, the counter ticks every 16 instructions, timer
// interrupts are taken at exactly the instruction where counter >= CVAL regardless of
// block boundaries, WFI skips virtual time to the next deadline, and a WFI that nothing
// can end stops the run instead of hanging.

import { describe, expect, it } from "vitest";
import { NS_PER_TICK } from "../../runtime/clock.js";
import { Machine } from "../../src/board/machine.js";
import { Mode, PSR } from "../../src/cpu/state.js";

const CODE = 0x40001000;
const VBAR = 0x40000000;
const ADD_R0_1 = 0xe2800001;
const B_SELF = 0xeafffffe;
const WFI = 0xe320f003;
const MRRC_CNTVCT_R2_R3 = 0xec532f1e; // mrrc p15, 1, r2, r3, c14

function machine(code: number[]): Machine {
  const m = new Machine({ memMiB: 16, semihosting: false });
  const words = new Uint32Array(code);
  m.bus.load(CODE, new Uint8Array(words.buffer));
  for (let v = 0; v < 8; v++) m.bus.write32(VBAR + v * 4, B_SELF); // every vector: b .
  m.cpu.sys.set("VBAR", VBAR);
  m.cpu.setCPSR(Mode.SVC | PSR.A | PSR.F); // IRQs unmasked
  m.cpu.R[15] = CODE;
  // GIC: distributor and CPU interface on, PMR open, PPIs 27 and 30 enabled
  m.bus.write32(0x08000000, 1);
  m.bus.write32(0x08010000, 1);
  m.bus.write32(0x08010004, 0xff);
  m.bus.write32(0x08000100, (1 << 27) | (1 << 30));
  return m;
}

/** Run until the CPU sits in the IRQ vector (or `max` steps). */
function runToIrq(m: Machine, max = 100_000): void {
  for (let i = 0; i < max && m.cpu.R[15] !== VBAR + 0x18 && !m.cpu.halted; i++) m.interp.run(1);
}

describe("generic timer", () => {
  it.each([1, 3, 4, 5, 7, 13, 64, 100])(
    "the virtual timer fires at exactly CVAL*16 instructions (CVAL %i)",
    (cval) => {
      const m = machine([...Array(4000).fill(ADD_R0_1), B_SELF]);
      m.cpu.timer.writeCval(1, cval, 0);
      m.cpu.timer.writeCtl(1, 1);
      m.interp.run(1_000_000);
      expect(m.cpu.mode).toBe(Mode.IRQ);
      expect(m.cpu.R[15]).toBe(VBAR + 0x18);
      // r0 counts the adds retired before the interrupt (r0 is not banked)
      expect(m.cpu.R[0]).toBe(cval * NS_PER_TICK);
      // LR_irq = the next instruction + 4
      expect(m.cpu.R[14]! >>> 0).toBe(CODE + 4 * cval * NS_PER_TICK + 4);
      expect(m.cpu.timer.readCtl(1)).toBe(5);
    },
  );

  it("is exact whatever the run budget (block splitting)", () => {
    for (const budget of [1, 7, 50, 1000]) {
      const m = machine([...Array(4000).fill(ADD_R0_1), B_SELF]);
      m.cpu.timer.writeTval(0, 37); // physical timer, 37 ticks from now (icount 0)
      m.cpu.timer.writeCtl(0, 1);
      for (let i = 0; i < 100_000 && m.cpu.mode !== Mode.IRQ; i++) m.interp.run(budget);
      expect(m.cpu.R[0]).toBe(37 * 16);
    }
  });

  it.each([1, 2, 3, 5, 8])("interrupts inside Thumb IT blocks keep ITSTATE (CVAL %i)", (cval) => {
    // groups of `itt eq; add r0, #1; add r1, #1` with Z clear: nothing may be added
    const hw: number[] = [];
    for (let i = 0; i < 200; i++) hw.push(0xbf04, 0x3001, 0x3101);
    hw.push(0xe7fe); // b .
    const m = machine([]);
    m.bus.load(CODE, new Uint8Array(new Uint16Array(hw).buffer));
    m.cpu.setCPSR(Mode.SVC | PSR.A | PSR.F | PSR.T);
    m.cpu.R[15] = CODE;
    m.cpu.timer.writeCval(1, cval, 0);
    m.cpu.timer.writeCtl(1, 1);
    m.interp.run(cval * 16 + 1); // the IRQ is taken at the start of the next step
    expect(m.cpu.mode).toBe(Mode.IRQ);
    const next = (cval * 16) % 3; // position of the next instruction in its group
    const spsr = m.cpu.getSPSR();
    expect(m.cpu.R[14]! >>> 0).toBe(CODE + 2 * cval * 16 + 4);
    expect(((spsr >>> 25) & 3) | (((spsr >>> 10) & 0x3f) << 2)).toBe(
      next === 0 ? 0 : next === 1 ? 0x04 : 0x08,
    );
    // resume where it was interrupted (as `subs pc, lr, #4` would), timer off
    m.cpu.timer.writeCtl(1, 0);
    m.cpu.setCPSR(spsr);
    m.cpu.R[15] = CODE + 2 * cval * 16;
    m.interp.run(2000);
    expect(m.cpu.R[0]).toBe(0);
    expect(m.cpu.R[1]).toBe(0);
    expect(m.cpu.R[15]! >>> 0).toBe(CODE + 2 * 600);
  });

  it("a masked timer does not interrupt; unmasking does", () => {
    const m = machine([...Array(400).fill(ADD_R0_1), B_SELF]);
    m.cpu.timer.writeCval(1, 2, 0);
    m.cpu.timer.writeCtl(1, 3); // enabled, IMASK
    m.interp.run(100);
    expect(m.cpu.mode).toBe(Mode.SVC);
    expect(m.cpu.timer.readCtl(1)).toBe(7);
    m.cpu.timer.writeCtl(1, 1);
    m.interp.run(1);
    expect(m.cpu.mode).toBe(Mode.IRQ);
  });

  it("counter reads are exact in the middle of a block", () => {
    // 40 adds then MRRC CNTVCT: the block starts at icount 0, the MRRC sees icount 40
    const m = machine([...Array(40).fill(ADD_R0_1), MRRC_CNTVCT_R2_R3, B_SELF]);
    m.interp.run(41);
    expect(m.cpu.R[2]).toBe(Math.floor(40 / 16));
    expect(m.cpu.R[3]).toBe(0);
  });

  it("TVAL / CVAL arithmetic (signed 32-bit TVAL, 64-bit wrap)", () => {
    const m = machine([B_SELF]);
    const t = m.cpu.timer;
    t.writeTval(1, 1000);
    expect(t.readCval(1)).toEqual([1000, 0]);
    expect(t.readTval(1)).toBe(1000);
    t.writeTval(1, -1); // counter 0 - 1 wraps to 2^64 - 1
    expect(t.readCval(1)).toEqual([-1, -1]);
    expect(t.readTval(1)).toBe(-1);
    expect(t.readCtl(1)).toBe(0);
    t.writeCtl(1, 1);
    expect(t.readCtl(1)).toBe(1); // never reached
    m.cpu.clock.skew = 0x123456789 * 16;
    expect(t.counter64(1)).toEqual([0x23456789, 1]);
    expect(t.readTval(1)).toBe((0xffffffff - 0x23456789) | 0);
  });

  it("WFI skips virtual time to the timer deadline", () => {
    const m = machine([WFI, ADD_R0_1, B_SELF]);
    m.cpu.timer.writeCval(1, 1_000_000, 0); // 16 ms of virtual time
    m.cpu.timer.writeCtl(1, 1);
    m.interp.run(10);
    expect(m.cpu.mode).toBe(Mode.IRQ);
    expect(m.cpu.R[14]! >>> 0).toBe(CODE + 4 + 4); // interrupted before the add
    expect(m.cpu.R[0]).toBe(0);
    // WFI retired at 1 ns; time skipped to the deadline at 16 ms; then 9 more `b .`
    expect(m.cpu.clock.skew).toBe(16_000_000 - 1);
    expect(m.cpu.icount).toBe(10);
    expect(m.cpu.clock.now()).toBe(16_000_009);
  });

  it("WFI with a pending but masked interrupt just continues", () => {
    const m = machine([WFI, ADD_R0_1, B_SELF]);
    m.cpu.setCPSR(Mode.SVC | PSR.A | PSR.I | PSR.F);
    m.cpu.timer.writeCval(1, 0, 0);
    m.cpu.timer.writeCtl(1, 1); // fired already: PPI 27 high
    m.interp.run(3);
    expect(m.cpu.mode).toBe(Mode.SVC);
    expect(m.cpu.R[0]).toBe(1);
    expect(m.cpu.clock.skew).toBe(0);
  });

  it("WFI that nothing can end stops the run instead of hanging", () => {
    const m = machine([WFI, B_SELF]);
    m.run(1_000_000);
    expect(m.cpu.halted).toBe(true);
    expect(m.interp.idleHalt).toBe(true);
    expect(m.cpu.R[15]).toBe(CODE + 4);
  });

  it("a timer deadline wakes WFI even when its output is masked at the GIC", () => {
    // the GIC does not forward PPI 26 (not enabled); CNTP at a deadline, then nothing
    const m = machine([WFI, B_SELF]);
    m.bus.write32(0x08000180, 0xffffffff); // disable PPIs
    m.cpu.timer.writeCval(0, 10, 0);
    m.cpu.timer.writeCtl(0, 1);
    m.run(1_000);
    // the deadline passes (ISTATUS set) but no interrupt reaches the CPU: the run stops
    expect(m.cpu.timer.readCtl(0)).toBe(5);
    expect(m.interp.idleHalt).toBe(true);
  });

  it("ISR shows the pending IRQ", () => {
    const m = machine([B_SELF]);
    m.cpu.timer.writeCval(1, 0, 0);
    m.cpu.timer.writeCtl(1, 1);
    expect(m.cpu.sys.isr()).toBe(0x80);
    runToIrq(m);
    expect(m.cpu.mode).toBe(Mode.IRQ);
  });
});
