// What the hot-loop benchmarks (cpu.ts, jit.ts) share: the fixtures, their check, and
// QEMU running one of them.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { QEMU, QEMU_BAREMETAL_ARGS } from "../src/difftest/run.js";

export const FIXTURES = ["bench_int", "bench_mem", "bench_vfp", "bench_neon"];

/** A fixture's ELF (fixtures/build, built by `make -C fixtures`). */
export const fx = (n: string) => new URL(`../../fixtures/build/${n}.elf`, import.meta.url).pathname;

/** Exit with one clear line unless the hot-loop fixtures and hello are built. */
export function requireFixtures(): void {
  for (const f of [...FIXTURES, "hello"])
    if (!existsSync(fx(f))) {
      console.error(`bench: ${fx(f)} missing; run 'make -C fixtures' first`);
      process.exit(2);
    }
}

/** qemu-system-arm running a bare-metal fixture: wall time (start-up included) and exit status. */
export function runQemu(path: string): { ms: number; exit: number } {
  const t0 = performance.now();
  const r = spawnSync(QEMU, [...QEMU_BAREMETAL_ARGS, path], { stdio: "ignore" });
  return { ms: performance.now() - t0, exit: r.status ?? -1 };
}
