// The PMU cycle counter counts virtual time (1 cycle per retired instruction) while
// PMCR.E and PMCNTENSET.C are set, divides by 64 with PMCR.D, and resets with PMCR.C.
import { describe, expect, it } from "vitest";
import { Machine } from "../../src/board/machine.js";

describe("PMCCNTR", () => {
  const m = new Machine({ memMiB: 16, semihosting: false });
  const sys = m.cpu.sys;
  const reg = (crm: number, opc2: number) => sys.lookup(15, 0, 9, crm, opc2)!;
  const PMCR = reg(12, 0);
  const PMCNTENSET = reg(12, 1);
  const PMCNTENCLR = reg(12, 2);
  const PMCCNTR = reg(13, 0);
  const read = () => sys.read(PMCCNTR, 1)!;
  const retire = (n: number) => {
    m.cpu.icount += n;
  };

  it("counts only when enabled, freezes when disabled, resets with PMCR.C, divides with PMCR.D", () => {
    expect(read()).toBe(0);
    retire(500);
    expect(read()).toBe(0); // not enabled
    sys.write(PMCR, 1, 1);
    retire(500);
    expect(read()).toBe(0); // PMCNTENSET.C still clear
    sys.write(PMCNTENSET, 0x80000000, 1);
    retire(1000);
    expect(read()).toBe(1000);
    sys.write(PMCNTENCLR, 0x80000000, 1);
    retire(1000);
    expect(read()).toBe(1000);
    sys.write(PMCNTENSET, 0x80000000, 1);
    retire(24);
    expect(read()).toBe(1024);
    sys.write(PMCR, 1 | 4, 1); // reset
    expect(read()).toBe(0);
    sys.write(PMCR, 1 | 8, 1); // divide by 64
    retire(640);
    expect(read()).toBe(10);
    sys.write(PMCCNTR, 0xfffffffe, 1);
    sys.write(PMCR, 1, 1);
    retire(3);
    expect(read()).toBe(1); // wraps at 32 bits
  });
});
