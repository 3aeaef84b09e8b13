// What the hot-loop benchmarks (cpu.ts, jit.ts) share: the fixtures, their check, and
// QEMU running one of them.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { QEMU, QEMU_BAREMETAL_ARGS } from "../src/difftest/run.js";

export const FIXTURES = ["bench_int", "bench_mem", "bench_lz", "bench_vfp", "bench_neon"];

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

export interface QemuRun {
  /** Wall time, start-up included. */
  ms: number;
  exit: number;
  /** The fixture's semihosting output (`:tt` writes on stdout, SYS_WRITE0/WRITEC on stderr). */
  stdout: string;
  stderr: string;
}

/** qemu-system-arm running a bare-metal fixture. */
export function runQemu(path: string): QemuRun {
  const t0 = performance.now();
  const r = spawnSync(QEMU, [...QEMU_BAREMETAL_ARGS, path], {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "latin1",
  });
  return { ms: performance.now() - t0, exit: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
