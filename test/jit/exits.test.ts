// The JIT's exits by reason (--stats): every entry into compiled code returns to the run
// loop once, for the reason the guest program gives (directed fixtures of fixtures/src,
// every block compiled before its first run).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXIT_REASONS, type ExitReason, enableJit } from "../../jit/jit.js";
import { Machine } from "../../src/board/machine.js";

const fixture = (name: string) => new URL(`../../fixtures/build/${name}.elf`, import.meta.url).pathname;

/** Run a fixture to its exit in slices of `slice` instructions; the JIT's exit counts. */
async function exits(
  name: string,
  slice = 100_000,
): Promise<{ execs: number; exits: Record<ExitReason, number> }> {
  const m = new Machine({ memMiB: 128, semihosting: true, stdout: () => {}, stderr: () => {} });
  m.load(readFileSync(fixture(name)));
  const jit = await enableJit(m.interp, { mode: "always" });
  while (!m.cpu.halted && m.cpu.icount < 50_000_000) m.run(slice);
  expect(m.cpu.halted).toBe(true);
  expect(jit.stats.waitInsns).toBe(0); // mode always: compiled before its first run, nothing waits
  return { execs: jit.stats.execs, exits: jit.stats.exits };
}

describe("JIT exits by reason", () => {
  it.each<[string, ExitReason[], number?]>([
    ["diff_timer", ["clock", "interrupt", "wait"]], // timer deadlines, their IRQs, WFI
    ["diff_gic", ["interrupt"]], // SGIs and SPIs raised by the program's own writes
    // data aborts of compiled loads and stores: each access is left to the interpreter,
    // which takes the abort
    ["diff_exc", ["memory"]],
    // the same, and an alignment fault raised by a runtime helper (LDREXD at an address
    // not 8-byte aligned)
    ["diff_ldst_sys", ["memory", "fault"]],
    ["diff_sys_exc", ["mode"]], // exception entry and return change the mode
    ["diff_mmu_remap", ["translation"]], // page tables rewritten and TLBs invalidated
    ["diff_calls", ["budget"], 100], // run slices of 100 instructions
  ])("%s: each entry exits once, for %j among the reasons", async (name, reasons, slice) => {
    const r = await exits(name, slice);
    expect(r.execs).toBeGreaterThan(0);
    expect(EXIT_REASONS.reduce((a, k) => a + r.exits[k], 0)).toBe(r.execs);
    for (const k of reasons) expect(r.exits[k], k).toBeGreaterThan(0);
  });
});

describe("JIT statistics", () => {
  it("counts the bytes of every region module V8 compiled (wasmBytes)", async () => {
    const m = new Machine({ memMiB: 128, semihosting: true, stdout: () => {}, stderr: () => {} });
    m.load(readFileSync(fixture("diff_calls")));
    const jit = await enableJit(m.interp, { mode: "always" });
    // the modules as V8 receives them, counted apart from the JIT's own bookkeeping
    const sizes: number[] = [];
    const Module = WebAssembly.Module;
    WebAssembly.Module = new Proxy(Module, {
      construct(target, args: [BufferSource]) {
        sizes.push(args[0].byteLength);
        return Reflect.construct(target, args);
      },
    });
    try {
      while (!m.cpu.halted && m.cpu.icount < 50_000_000) m.run(100_000);
    } finally {
      WebAssembly.Module = Module;
    }
    expect(m.cpu.halted).toBe(true);
    expect(sizes.length).toBe(jit.stats.modules);
    expect(jit.stats.modules).toBeGreaterThan(0);
    expect(jit.stats.wasmBytes).toBe(sizes.reduce((a, b) => a + b, 0));
  });
});
