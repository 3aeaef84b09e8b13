// `hypwasm bench`: the whole benchmark suite, one record per run (record.ts).
//
// Groups (each figure's name starts with its group):
//   hotloop     guest MIPS on the bench_int/mem/vfp/neon fixtures (bench/cpu.ts's loops), after
//               one warm-up run;
//   jit         the same loops with the wasm JIT (when this build has jit/): MIPS and the
//               JIT's compile statistics;
//   micro       Benchmark.js micro benchmarks: A32 decode, RAM reads through the bus,
//               10,000 interpreted instructions of the integer hot loop;
//   hypercalls  `bench hypercalls`: guest instructions per call (exact), calls per host second;
//   boot-linux, boot-xen   time to the shell and guest instructions to power-off (full runs only).
//
// Counts come from one run (they are the same every run); host times and rates are
// measured `runs` times and keep their samples, from which `bench compare` takes its noise.
//
// HYPWASM_BENCH_SLOWDOWN=F (a test hook, recorded in the record) makes every run loop of
// the hotloop, jit and micro groups busy-wait F-1 times as long as each slice took: the
// emulator really runs F times slower there, which `bench compare` must catch.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Benchmark from "benchmark";
import { Machine, RAM_BASE } from "../board/machine.js";
import { decodeUncached } from "../decode/pattern.js";
import { fixturesDir, repoRoot } from "../difftest/toolchain.js";
import { hasImage, imagePath } from "../images/fetch.js";
import { bootHypwasmLinux } from "../reference/linux-boot.js";
import type { HypwasmBoot } from "../reference/run.js";
import { bootHypwasmXen } from "../reference/xen-boot.js";
import { BenchError, type BenchResult, type BenchRow, benchHypercalls } from "./hcall.js";
import { type BenchRecord, counted, currentCommit, currentHost, type Figure, measured } from "./record.js";

/** In run order: the hot loops first also warm the host's JIT up for the micro benchmarks. */
export const GROUPS = ["hotloop", "jit", "micro", "hypercalls", "boot-linux", "boot-xen"] as const;
export type Group = (typeof GROUPS)[number];

export interface SuiteOptions {
  /** The CI smoke: short runs, no boots. */
  quick: boolean;
  /** Repetitions of each timed measurement. */
  runs: number;
  /** Groups to run (default: all). */
  only?: readonly Group[];
  /** The Xen image (default: the image cache's, when fetched). */
  xenImage?: string;
  log?: (line: string) => void;
}

const SLICE = 1_000_000;
/** Hot loops in a full run go to the fixture's exit; a bound against a runaway guest. */
const HOT_LOOP_BOUND = 5e9;
/** The quick run's instructions per hot loop (the VFP loop runs ~20x slower, the NEON one ~200x). */
const HOT_LOOPS = [
  { fixture: "bench_int", quickInsns: 10_000_000 },
  { fixture: "bench_mem", quickInsns: 10_000_000 },
  { fixture: "bench_lz", quickInsns: 10_000_000 },
  { fixture: "bench_vfp", quickInsns: 1_000_000 },
  { fixture: "bench_neon", quickInsns: 100_000 },
];
/** The hot loops that also run with the JIT (the VFP and NEON loops are too slow to add to a quick run twice). */
const JIT_LOOPS = ["bench_int", "bench_mem", "bench_lz"];
/** Calls per hypercall. The quick run's one short run keeps the counts only (nothing to take noise from). */
const HCALLS_FULL = 1000;
const HCALLS_QUICK = 10;
const BOOT_CMD = "echo hello";

/** The planted slowdown factor (1: none). */
export function plantedSlowdown(): number {
  const v = process.env.HYPWASM_BENCH_SLOWDOWN;
  if (v === undefined || v === "") return 1;
  const f = Number(v);
  if (!Number.isFinite(f) || f < 1)
    throw new BenchError(`HYPWASM_BENCH_SLOWDOWN must be a number >= 1, not '${v}'`);
  return f;
}

/** Busy-wait (slowdown - 1) times the time since `t0`. */
function plantedDelay(slowdown: number, t0: number): void {
  if (slowdown <= 1) return;
  const now = performance.now();
  const until = now + (now - t0) * (slowdown - 1);
  while (performance.now() < until);
}

/** Run `m` in slices until it halts or `limit` instructions; instructions and host ms. */
function timedRun(m: Machine, limit: number, slowdown: number): { insns: number; ms: number } {
  const t0 = performance.now();
  let steps = 0;
  while (!m.cpu.halted && steps < limit) {
    const ts = performance.now();
    steps += m.interp.run(Math.min(SLICE, limit - steps));
    plantedDelay(slowdown, ts);
  }
  return { insns: m.cpu.icount, ms: performance.now() - t0 };
}

function fixture(name: string): string {
  const dir = fixturesDir();
  const path = join(dir, "build", `${name}.elf`);
  if (!existsSync(path)) {
    try {
      execFileSync("make", ["-C", dir, `build/${name}.elf`], { stdio: "pipe" });
    } catch (e) {
      throw new BenchError(`cannot build ${path} (make -C fixtures): ${(e as Error).message}`);
    }
  }
  return path;
}

/** A machine running the fixture; its semihosting output is appended to `out`. */
function fixtureMachine(name: string, out = { stdout: "", stderr: "" }): Machine {
  const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");
  const m = new Machine({
    memMiB: 128,
    semihosting: true,
    stdout: (b) => {
      out.stdout += text(b);
    },
    stderr: (b) => {
      out.stderr += text(b);
    },
  });
  m.load(readFileSync(fixture(name)));
  return m;
}

export interface HotLoopRun {
  insns: number;
  ms: number;
  /** The fixture's exit status and output (its result; bench/cpu.ts checks them against QEMU's). */
  exit: number;
  stdout: string;
  stderr: string;
}

/** One hot-loop fixture on a fresh machine: to its exit, or `limit` instructions. */
export function runHotLoop(
  name: string,
  limit = HOT_LOOP_BOUND,
  slowdown = 1,
  setup?: (m: Machine) => void,
): HotLoopRun {
  const out = { stdout: "", stderr: "" };
  const m = fixtureMachine(name, out);
  setup?.(m);
  const r = timedRun(m, limit, slowdown);
  if (!m.cpu.halted && limit === HOT_LOOP_BOUND)
    throw new BenchError(`${name} did not exit within ${HOT_LOOP_BOUND} instructions`);
  return { ...r, exit: m.cpu.exitCode, ...out };
}

const mips = (r: { insns: number; ms: number }) => r.insns / r.ms / 1000;

type Figures = Record<string, Figure>;

function hotLoops(o: SuiteOptions, slowdown: number, figures: Figures): void {
  for (const { fixture: f, quickInsns } of HOT_LOOPS) {
    const limit = o.quick ? quickInsns : HOT_LOOP_BOUND;
    runHotLoop(f, limit, slowdown); // warm-up: the host's JIT compiles the interpreter's paths
    const runs = Array.from({ length: o.runs }, () => runHotLoop(f, limit, slowdown));
    figures[`hotloop.${f}.insns`] = counted(runs[0]!.insns, "instructions");
    figures[`hotloop.${f}.mips`] = measured("rate", "MIPS", runs.map(mips));
  }
}

type JitModule = typeof import("../../jit/jit.js");

/** The JIT when this build has one (jit/ is issue 5's work): its module, or why not. */
async function loadJit(): Promise<JitModule | string> {
  try {
    const mod: Partial<JitModule> = await import("../../jit/jit.js");
    return typeof mod.enableJit === "function" ? (mod as JitModule) : "jit/jit.js has no enableJit";
  } catch (e) {
    return `no JIT in this build (${(e as Error).message.split("\n")[0]})`;
  }
}

async function jitLoops(
  o: SuiteOptions,
  slowdown: number,
  figures: Figures,
  skipped: string[],
): Promise<void> {
  const jit = await loadJit();
  if (typeof jit === "string") {
    skipped.push(`jit: ${jit}`);
    return;
  }
  for (const f of JIT_LOOPS) {
    const limit = o.quick ? HOT_LOOPS.find((h) => h.fixture === f)!.quickInsns : HOT_LOOP_BOUND;
    const rates: number[] = [];
    const compileMs: number[] = [];
    let stats: { regions: number; blocks: number; wasmBytes: number } | undefined;
    // Run 0 warms the host up (binaryen, the compiled paths) and is not kept.
    for (let i = 0; i <= o.runs; i++) {
      const m = fixtureMachine(f);
      // (maxWaitMs 0: queued regions are compiled at the next slice, not after a wall-clock
      // wait, so the counts below follow the instructions only, slowed run or not)
      const j = await jit.enableJit(m.interp, { mode: "on", maxWaitMs: 0 });
      const r = timedRun(m, limit, slowdown);
      if (i === 0) continue;
      rates.push(mips(r));
      compileMs.push(j.stats.compileMs);
      stats ??= j.stats;
    }
    figures[`jit.${f}.mips`] = measured("rate", "MIPS", rates);
    figures[`jit.${f}.compile-ms`] = measured("time", "ms", compileMs);
    figures[`jit.${f}.regions`] = counted(stats!.regions, "regions");
    figures[`jit.${f}.blocks`] = counted(stats!.blocks, "blocks");
    figures[`jit.${f}.wasm-bytes`] = counted(stats!.wasmBytes, "bytes");
  }
}

/** A few A32 words of the kinds hot guest code is made of (data processing, load/store, branches). */
const A32_WORDS = [
  0xe0810002, // add r0, r1, r2
  0xe5910004, // ldr r0, [r1, #4]
  0xe5810004, // str r0, [r1, #4]
  0xe3a00001, // mov r0, #1
  0xe1500001, // cmp r0, r1
  0x1afffffa, // bne .-16
  0xe12fff1e, // bx lr
  0xe0000190, // mul r0, r0, r1
];
const MICRO_INSNS = 10_000;

function micro(o: SuiteOptions, slowdown: number, figures: Figures): void {
  const bench = (name: string, unit: string, fn: () => void) => {
    const b = new Benchmark(name, fn, { maxTime: o.quick ? 0.5 : 3, minSamples: 5 });
    b.run();
    if (b.error) throw new BenchError(`micro benchmark ${name}: ${String(b.error)}`);
    figures[`micro.${name}`] = measured(
      "rate",
      unit,
      b.stats.sample.map((s) => 1 / s),
    );
  };
  bench("decode-a32", "decodes of 8 words/s", () => {
    const t0 = performance.now();
    for (const w of A32_WORDS) decodeUncached("A32", w); // the decoder, not decodeWord's memo
    plantedDelay(slowdown, t0);
  });
  const bus = fixtureMachine("bench_int").bus;
  bench("bus-read32", "256 reads/s", () => {
    const t0 = performance.now();
    for (let a = 0; a < 1024; a += 4) bus.read32(RAM_BASE + a);
    plantedDelay(slowdown, t0);
  });
  let loop = fixtureMachine("bench_int");
  bench("interp-10k", "runs of 10k instructions/s", () => {
    if (loop.cpu.halted) loop = fixtureMachine("bench_int");
    const t0 = performance.now();
    loop.interp.run(MICRO_INSNS);
    plantedDelay(slowdown, t0);
  });
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

async function hypercalls(o: SuiteOptions, figures: Figures, skipped: string[]): Promise<void> {
  const xenImage = o.xenImage ?? (hasImage("xen") ? imagePath("xen") : undefined);
  if (!xenImage) {
    skipped.push("hypercalls: no Xen image (run 'hypwasm images fetch')");
    return;
  }
  const calls = o.quick ? HCALLS_QUICK : HCALLS_FULL;
  const results: BenchResult[] = [];
  for (let i = 0; i < (o.quick ? 1 : o.runs); i++) {
    const r = await benchHypercalls({ calls, vsQemu: false, xenImage, log: o.log });
    if (r.problems.length) throw new BenchError(`bench hypercalls: ${r.problems.join("; ")}`);
    results.push(r);
  }
  const first = results[0]!;
  figures["hypercalls.xen-boot.insns"] = counted(first.hypwasm.xenBootInsns, "instructions");
  first.rows.forEach((row: BenchRow, i) => {
    const name = `hypercalls.${row.fixture === "bare-metal" ? "bare-metal" : "xen"}.${slug(row.name)}`;
    figures[`${name}.insns-per-call`] = counted(row.hypwasm.insnsPerCall, "instructions");
    figures[`${name}.hyp-insns-per-call`] = counted(row.hypwasm.hypInsnsPerCall, "instructions");
    if (!o.quick)
      figures[`${name}.calls-per-s`] = measured(
        "rate",
        "calls/s",
        results.map((r) => r.rows[i]!.hypwasm.callsPerHostSecond),
      );
  });
}

/** `hypwasm boot ... --stats` as a child process: the CLI next to this module. */
const CLI = new URL("../cli/main.js", import.meta.url).pathname;

function bootFigures(name: string, b: HypwasmBoot, figures: Figures): void {
  if (b.code !== 0 || b.insns < 0 || b.markerMs < 0)
    throw new BenchError(
      `${name}: the boot failed (exit ${b.code}); output ends with:\n${b.out.slice(-1000)}`,
    );
  figures[`${name}.insns`] = counted(b.insns, "instructions");
  figures[`${name}.shell-s`] = measured("time", "s", [b.markerMs / 1000]);
  if (b.mainCpuMs >= 0) figures[`${name}.main-thread-cpu-s`] = measured("time", "s", [b.mainCpuMs / 1000]);
  b.plInsns?.forEach((n, pl) => {
    figures[`${name}.pl${pl}-insns`] = counted(n, "instructions");
  });
}

async function boots(group: "boot-linux" | "boot-xen", figures: Figures, skipped: string[]): Promise<void> {
  const need = group === "boot-xen" ? ["xen", "lpae", "initramfs"] : ["lpae", "initramfs"];
  const missing = need.filter((n) => !hasImage(n));
  if (missing.length) {
    skipped.push(`${group}: images missing: ${missing.join(", ")} (run 'hypwasm images fetch')`);
    return;
  }
  const kernel = imagePath("lpae");
  const initrd = imagePath("initramfs");
  const b =
    group === "boot-xen"
      ? await bootHypwasmXen(CLI, { xen: imagePath("xen"), dom0Kernel: kernel, initrd }, BOOT_CMD)
      : await bootHypwasmLinux(CLI, kernel, initrd, BOOT_CMD);
  bootFigures(group, b, figures);
}

/** Run the suite; the record is not yet written anywhere. */
export async function runSuite(o: SuiteOptions): Promise<BenchRecord> {
  const log = o.log ?? (() => {});
  const slowdown = plantedSlowdown();
  const record: BenchRecord = {
    commit: currentCommit(repoRoot()),
    date: new Date().toISOString(),
    host: currentHost(),
    quick: o.quick,
    ...(slowdown > 1 ? { plantedSlowdown: slowdown } : {}),
    skipped: [],
    figures: {},
  };
  const { figures, skipped } = record;
  for (const g of o.only ?? GROUPS) {
    const t0 = performance.now();
    log(`bench: ${g}`);
    switch (g) {
      case "micro":
        micro(o, slowdown, figures);
        break;
      case "hotloop":
        hotLoops(o, slowdown, figures);
        break;
      case "jit":
        await jitLoops(o, slowdown, figures, skipped);
        break;
      case "hypercalls":
        await hypercalls(o, figures, skipped);
        break;
      case "boot-linux":
      case "boot-xen":
        if (o.quick) skipped.push(`${g}: not in --quick`);
        else await boots(g, figures, skipped);
        break;
    }
    log(`bench: ${g} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return record;
}
