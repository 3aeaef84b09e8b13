// What the interpreter keeps when the MMU says that translations of a VA range may have
// changed (Interpreter.invalidateVaRange, called for TLBIMVA and TTBR0 switches): its
// blocks stay, to be re-checked before they run again, and are dropped only if their PC
// now translates elsewhere. (That a remapped page runs its new code is checked against
// QEMU by fixtures/src/diff_mmu_remap.S, with and without the JIT.)

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { enableJit } from "../../jit/jit.js";
import { Machine } from "../../src/board/machine.js";

const image = readFileSync(new URL("../../fixtures/build/bench_lz.elf", import.meta.url));

function machine(): Machine {
  const m = new Machine({ memMiB: 128, semihosting: true, stdout: () => {}, stderr: () => {} });
  m.load(image);
  return m;
}

describe("a VA range's invalidation", () => {
  it("keeps the blocks whose PC still translates to the same address: nothing is decoded again", () => {
    const m = machine();
    m.run(3_000_000);
    const decoded = m.interp.stats.blocksDecoded;
    m.interp.invalidateVaRange(0, 0xffffffff);
    m.run(3_000_000);
    expect(m.interp.stats.blocksDecoded).toBe(decoded);
  });

  it("keeps compiled regions too, and the run ends as without the invalidation", async () => {
    const ref = machine();
    ref.run();
    const m = machine();
    const jit = await enableJit(m.interp, { mode: "on", threshold: 50, maxWaitMs: 0 });
    m.run(3_000_000);
    await jit.settle();
    const before = jit.stats.insns;
    m.interp.invalidateVaRange(0x40000000, 0x400fffff); // the code's first MiB
    m.run(3_000_000);
    expect(jit.stats.dropped).toBe(0);
    expect(jit.stats.insns - before).toBeGreaterThan(2_000_000);
    m.run();
    expect(m.cpu.icount).toBe(ref.cpu.icount);
    expect(m.cpu.exitCode).toBe(ref.cpu.exitCode);
  });
});
