import { describe, expect, it } from "vitest";
import { Machine, RAM_BASE } from "../../src/board/machine.js";
import { S } from "../../src/cpu/state.js";
import { warmUpInterpreter } from "../../src/interp/warmup.js";

// The interpreter's warm-up runs guest ops on the machine's own CPU before the first
// instruction: it must leave every CPU state word and all of RAM exactly as it found them.
describe("interpreter warm-up", () => {
  it("leaves the CPU state and RAM untouched", () => {
    const m = new Machine({ memMiB: 1, semihosting: true, stdout: () => {}, stderr: () => {} });
    const cpu = m.cpu;
    // non-reset values in the registers, flags and the RAM the warm-up uses
    for (let i = 0; i < 15; i++) cpu.R[i] = (i * 0x11111111) | 0;
    cpu.R[15] = RAM_BASE | 0;
    cpu.W[S.NF >> 2] = -7;
    cpu.W[S.CF >> 2] = 1;
    for (let i = 0; i < 0x3000; i++) cpu.bus.u8[cpu.bus.ramOffset(RAM_BASE) + i] = (i * 7) & 0xff;
    const state = cpu.W.slice(0, S.END >> 2);
    const ram = cpu.bus.u8.slice(cpu.bus.ramOffset(RAM_BASE), cpu.bus.ramOffset(RAM_BASE) + 0x10000);
    const faultOp = cpu.faultOp;
    warmUpInterpreter(cpu, true);
    expect(Array.from(cpu.W.slice(0, S.END >> 2))).toEqual(Array.from(state));
    const after = cpu.bus.u8.slice(cpu.bus.ramOffset(RAM_BASE), cpu.bus.ramOffset(RAM_BASE) + 0x10000);
    expect(Buffer.from(after).equals(Buffer.from(ram))).toBe(true);
    expect(cpu.faultOp).toBe(faultOp);
  });
});
