// `--stats`' main-thread line (src/cli/stats.ts): the guest's thread's time on a core and
// waiting for one, from the kernel's scheduler statistics, against what time(1) reports of
// the whole process (its rusage) and what a thread that never sleeps while it runs the
// guest must show.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const LZ = new URL("../../fixtures/build/bench_lz.elf", import.meta.url).pathname;

describe("--stats: the main thread's times", () => {
  it("fit the process's CPU time and cover the run's wall time", () => {
    const t0 = performance.now();
    const r = spawnSync(
      "/usr/bin/time",
      ["-f", "rusage %U %S", "node", CLI, "run", "--semihosting", "--stats", "--jit", "off", LZ],
      { encoding: "latin1", timeout: 120_000 },
    );
    const lifeMs = performance.now() - t0;
    expect(r.status, r.stderr).toBe(56); // bench_lz's exit status, as on QEMU
    const run = /hypwasm: \d+ instructions in ([\d.]+) ms/.exec(r.stderr);
    const main = /hypwasm: main thread since start: (\d+) ms on a core, (\d+) ms waiting for one/.exec(
      r.stderr,
    );
    const usage = /rusage ([\d.]+) ([\d.]+)/.exec(r.stderr);
    expect(run, r.stderr).not.toBeNull();
    expect(main, r.stderr).not.toBeNull();
    expect(usage, r.stderr).not.toBeNull();
    const [runMs, cpuMs, waitMs] = [Number(run![1]), Number(main![1]), Number(main![2])];
    const processCpuMs = (Number(usage![1]) + Number(usage![2])) * 1000;
    expect(runMs).toBeGreaterThan(300); // (~2.5 s interpreted: long enough to compare)
    // one of the process's threads, the one doing most of its work without the JIT
    // (time(1) reports to 10 ms)
    expect(cpuMs).toBeLessThanOrEqual(processCpuMs + 20);
    expect(cpuMs).toBeGreaterThan(0.5 * processCpuMs);
    // it runs or waits to run all through the run (1 ms of rounding each), within the process's life
    expect(cpuMs + waitMs + 2).toBeGreaterThanOrEqual(runMs);
    expect(cpuMs + waitMs).toBeLessThanOrEqual(lifeMs);
  });
});
