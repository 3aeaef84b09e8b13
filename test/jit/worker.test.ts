// The compile worker (mode on, as the CLI runs it): the compiled dist/ build, since the
// worker thread loads dist/jit/worker.js. A run that switches to compiled code half-way
// must end in the same state as the interpreter alone.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type * as JitModule from "../../jit/jit.js";
import type * as MachineModule from "../../src/board/machine.js";
import { isGuestStateWord, S } from "../../src/cpu/state.js";

const dist = new URL("../../dist/", import.meta.url);
const { enableJit } = (await import(new URL("jit/jit.js", dist).href)) as typeof JitModule;
const { Machine } = (await import(new URL("src/board/machine.js", dist).href)) as typeof MachineModule;
const fixture = (n: string) => readFileSync(new URL(`../../fixtures/build/${n}.elf`, import.meta.url));

describe("JIT with the compile worker", () => {
  it.each(["bench_int", "bench_mem", "bench_lz"])(
    "%s: same end state as the interpreter",
    async (name) => {
      const image = fixture(name);
      const machine = () => {
        const m = new Machine({ memMiB: 128, semihosting: true, stdout: () => {}, stderr: () => {} });
        m.load(image);
        return m;
      };
      const ref = machine();
      ref.run();
      const m = machine();
      const jit = await enableJit(m.interp, { mode: "on", worker: true, threshold: 100 });
      m.run(1_000_000); // hot blocks are queued and sent to the worker
      await jit.settle();
      m.run();
      jit.close();
      expect(m.cpu.halted).toBe(true);
      expect(m.cpu.icount).toBe(ref.cpu.icount);
      expect(m.cpu.exitCode).toBe(ref.cpu.exitCode);
      const state = (w: Int32Array) =>
        Array.from(w.subarray(0, S.END >> 2)).filter((_, i) => isGuestStateWord(i));
      expect(state(m.cpu.W)).toEqual(state(ref.cpu.W));
      expect(jit.stats.modules).toBeGreaterThan(0);
      expect(jit.stats.execs).toBeGreaterThan(0);
      // the first slice ran on in the interpreter past the promotions (the worker's modules
      // are installed between slices): counted as waiting, within what was interpreted
      expect(jit.stats.waitInsns).toBeGreaterThan(0);
      expect(jit.stats.waitInsns).toBeLessThanOrEqual(m.cpu.icount - jit.stats.insns);
    },
    60_000,
  );
});

describe("the compile worker's results", () => {
  it("are installed as soon as they are posted, not only when a run slice begins", async () => {
    const m = new Machine({ memMiB: 128, semihosting: true, stdout: () => {}, stderr: () => {} });
    m.load(fixture("bench_lz"));
    const jit = await enableJit(m.interp, { mode: "on", worker: true, threshold: 100, batch: 1 });
    try {
      // one slice for the whole program: the run loop's own poll, at the slice's start, finds nothing
      m.interp.run(Number.MAX_SAFE_INTEGER);
    } finally {
      jit.close();
    }
    expect(m.cpu.halted).toBe(true);
    expect(jit.stats.modules).toBeGreaterThan(0);
    expect(jit.stats.insns).toBeGreaterThan(m.cpu.icount / 2);
  }, 60_000);
});
