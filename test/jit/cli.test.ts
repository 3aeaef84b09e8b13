// The JIT's command-line options: `run --jit off|on|always --jit-threshold N --stats`
// (the compiled CLI in dist/, as a user runs it).

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const FIXTURE = new URL("../../fixtures/build/diff_mul.elf", import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync("node", [CLI, ...args], { encoding: "latin1", timeout: 120_000, maxBuffer: 1 << 28 });
const insns = (stderr: string) => Number(/hypwasm: (\d+) instructions/.exec(stderr)?.[1] ?? -1);

describe("hypwasm run --jit", () => {
  it("gives the same output, exit status and instruction count in every mode", () => {
    const off = run("run", "--semihosting", "--stats", "--jit", "off", FIXTURE);
    expect(off.status).toBe(0);
    expect(off.stderr).not.toMatch(/jit:/);
    for (const mode of [
      ["--jit", "on", "--jit-threshold", "2"],
      ["--jit", "always"],
    ]) {
      const r = run("run", "--semihosting", "--stats", ...mode, FIXTURE);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(off.stdout);
      expect(insns(r.stderr)).toBe(insns(off.stderr));
      expect(r.stderr).toMatch(/hypwasm: jit: \d+ regions of \d+ blocks in \d+ modules/);
    }
  });

  it("rejects an unknown mode and a bad threshold", () => {
    const bad = run("run", "--jit", "sometimes", FIXTURE);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/'--jit <mode>' argument 'sometimes' is invalid/);
    const thr = run("run", "--jit", "on", "--jit-threshold", "0", FIXTURE);
    expect(thr.status).not.toBe(0);
    expect(thr.stderr).toMatch(/--jit-threshold must be an integer >= 1/);
  });

  it("detaches no ArrayBuffer (V8 would drop the optimized interpreter and memory accesses)", () => {
    // V8 reports invalidated protectors: the first detached buffer in a process (e.g. one
    // transferred to the compile worker) invalidates ArrayBufferDetaching
    const lz = new URL("../../fixtures/build/bench_lz.elf", import.meta.url).pathname;
    const r = spawnSync(
      "node",
      ["--trace-protector-invalidation", CLI, "run", "--semihosting", "--stats", lz],
      {
        encoding: "latin1",
        timeout: 120_000,
      },
    );
    expect(r.status, r.stderr).toBe(56); // bench_lz's exit status, as on QEMU
    expect(r.stderr + r.stdout).toMatch(/hypwasm: jit: \d+ regions of [1-9]\d* blocks/);
    expect(r.stderr + r.stdout).not.toMatch(/Invalidating protector cell ArrayBufferDetaching/);
  });
});
