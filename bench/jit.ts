// JIT benchmark: guest MIPS of the interpreter alone and with the wasm JIT on the
// hot-loop fixtures, next to qemu-system-arm on the same ELF files. (The boots with and
// without the JIT, beside QEMU: bench/boot.ts.)
//
//   node dist/bench/jit.js [--runs N] [--no-qemu] [--json]
//
// Fixture rows: "run" is `hypwasm run --jit M` as a user runs it (from the first
// instruction: interpreting while the worker compiles), "steady" the JIT's speed once
// the hot code is compiled (in process: compiled synchronously, then timed).

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { enableJit } from "../jit/jit.js";
import { Machine } from "../src/board/machine.js";
import { FIXTURES, fx, requireFixtures, runQemu } from "./fixtures.js";

const CLI = new URL("../src/cli/main.js", import.meta.url).pathname;
const TIME = "/usr/bin/time";

/** What one `hypwasm` child reported. */
interface ChildRun {
  code: number | null;
  insns: number;
  /** In-process run time from --stats (ms). */
  runMs: number;
  /** JIT compile time (worker + main thread) from --stats; 0 without the JIT. */
  compileMs: number;
  /** Blocks compiled and KiB of wasm built, from --stats (0 without the JIT). */
  blocks: number;
  wasmKiB: number;
  /** Peak resident memory in MiB (from /usr/bin/time; -1 when it is missing). */
  peakMiB: number;
  /** The guest's semihosting output on stdout (`:tt` writes). */
  stdout: string;
}

/** Run the hypwasm CLI with `args` (plus --stats) as a child process. */
function hypwasm(args: string[]): Promise<ChildRun> {
  const timed = existsSync(TIME);
  const cmd = timed ? TIME : "node";
  const argv = [...(timed ? ["-f", "bench-maxrss %M", "node"] : []), CLI, ...args, "--stats"];
  return new Promise((resolve) => {
    const p = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    let out = "";
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString("latin1");
    });
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString("latin1");
    });
    p.on("close", (code) => {
      const run = /hypwasm: (\d+) instructions in ([\d.]+) ms/.exec(err);
      const jit = /hypwasm: jit: .* ([\d.]+) ms compiling/.exec(err);
      const made = /hypwasm: jit: \d+ regions of (\d+) blocks in \d+ modules \(([\d.]+) KiB of wasm\)/.exec(
        err,
      );
      const rss = /bench-maxrss (\d+)/.exec(err);
      resolve({
        code,
        insns: run ? Number(run[1]) : -1,
        runMs: run ? Number(run[2]) : -1,
        compileMs: jit ? Number(jit[1]) : 0,
        blocks: made ? Number(made[1]) : 0,
        wasmKiB: made ? Number(made[2]) : 0,
        peakMiB: rss ? Number(rss[1]) / 1024 : -1,
        stdout: out,
      });
    });
  });
}

/** The JIT's speed on a fixture once its hot code is compiled (in process). */
async function steadyMips(path: string): Promise<number> {
  const m = new Machine({ memMiB: 128, semihosting: true, stdout: () => {}, stderr: () => {} });
  m.load(readFileSync(path));
  const jit = await enableJit(m.interp, { mode: "on", threshold: 100, maxWaitMs: 0 });
  m.run(2_000_000);
  await jit.settle();
  const n0 = m.cpu.icount;
  const t0 = performance.now();
  m.run();
  return (m.cpu.icount - n0) / (performance.now() - t0) / 1000;
}

const qemuMs = (path: string) => runQemu(path).ms;

const best = <T>(xs: T[], key: (x: T) => number): T => xs.reduce((a, b) => (key(a) <= key(b) ? a : b));

interface FixtureRow {
  fixture: string;
  insns: number;
  interpMips: number;
  jitRunMips: number;
  jitSteadyMips: number;
  qemuMips: number | null;
  compileShare: number;
  /** Bytes of wasm per compiled block (a deterministic measure of the compiler's output). */
  wasmBytesPerBlock: number;
  interpPeakMiB: number;
  jitPeakMiB: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf("--runs") + 1]) || 3;
  const json = args.includes("--json");
  const withQemu = !args.includes("--no-qemu");
  requireFixtures();
  const startup = withQemu ? Math.min(...Array.from({ length: runs }, () => qemuMs(fx("hello")))) : 0;
  const rows: FixtureRow[] = [];
  for (const f of FIXTURES) {
    const run = async (mode: string) => {
      const rs: ChildRun[] = [];
      for (let i = 0; i < runs; i++) rs.push(await hypwasm(["run", "--semihosting", "--jit", mode, fx(f)]));
      return best(rs, (r) => r.runMs);
    };
    const off = await run("off");
    const on = await run("on");
    if (on.insns !== off.insns || on.code !== off.code || on.stdout !== off.stdout)
      throw new Error(
        `${f}: the JIT run differs (insns ${on.insns} vs ${off.insns}, exit ${on.code} vs ${off.code}, output ${on.stdout === off.stdout ? "same" : "differs"})`,
      );
    const steady = Math.max(...(await Promise.all(Array.from({ length: runs }, () => steadyMips(fx(f))))));
    const qs = withQemu ? Array.from({ length: runs }, () => runQemu(fx(f))) : [];
    // the figures count only if the guest computed what it computes on QEMU
    for (const r of qs)
      if (r.exit !== off.code || r.stdout !== off.stdout)
        throw new Error(`${f}: QEMU's run differs (exit ${r.exit} vs ${off.code}, or its output)`);
    const q = withQemu ? Math.min(...qs.map((r) => r.ms)) : 0;
    rows.push({
      fixture: f,
      insns: off.insns,
      interpMips: off.insns / off.runMs / 1000,
      jitRunMips: on.insns / on.runMs / 1000,
      jitSteadyMips: steady,
      qemuMips: withQemu ? off.insns / Math.max(q - startup, 1) / 1000 : null,
      compileShare: on.compileMs / on.runMs,
      wasmBytesPerBlock: on.blocks > 0 ? (1024 * on.wasmKiB) / on.blocks : 0,
      interpPeakMiB: off.peakMiB,
      jitPeakMiB: on.peakMiB,
    });
  }
  if (json) {
    console.log(JSON.stringify({ runs, qemuStartupMs: startup, fixtures: rows }, null, 2));
    return;
  }
  const c = (s: string | number, w: number) => String(s).padStart(w);
  const f1 = (x: number | null) => (x === null ? "-" : x.toFixed(1));
  console.log(`best of ${runs} runs; QEMU start-up (${startup.toFixed(0)} ms) subtracted`);
  console.log(
    "fixture      guest insns  interp MIPS  jit run MIPS  jit steady MIPS  qemu MIPS  compiling  wasm B/block  peak MiB interp/jit",
  );
  for (const r of rows)
    console.log(
      `${r.fixture.padEnd(11)}${c(r.insns, 13)}${c(f1(r.interpMips), 13)}${c(f1(r.jitRunMips), 14)}${c(
        f1(r.jitSteadyMips),
        17,
      )}${c(f1(r.qemuMips), 11)}${c(`${(100 * r.compileShare).toFixed(1)} %`, 11)}${c(
        r.wasmBytesPerBlock.toFixed(0),
        14,
      )}${c(`${r.interpPeakMiB.toFixed(0)}/${r.jitPeakMiB.toFixed(0)}`, 21)}`,
    );
}

await main();
