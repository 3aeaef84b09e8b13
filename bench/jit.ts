// JIT benchmark: guest MIPS of the interpreter alone and with the wasm JIT on the
// hot-loop fixtures, next to qemu-system-arm on the same ELF files; optionally the
// Linux and Xen + dom0 boots with and without the JIT (time to the shell, instruction
// counts, which must be equal, the share of wall time spent compiling, peak memory).
//
//   node dist/bench/jit.js [--runs N] [--boot] [--xen] [--no-qemu] [--json]
//
// Fixture rows: "run" is `hypwasm run --jit M` as a user runs it (from the first
// instruction: interpreting while the worker compiles), "steady" the JIT's speed once
// the hot code is compiled (in process: compiled synchronously, then timed).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { enableJit } from "../jit/jit.js";
import { Machine } from "../src/board/machine.js";
import { QEMU, QEMU_BAREMETAL_ARGS } from "../src/difftest/run.js";
import { imagePath } from "../src/images/fetch.js";
import { READY_RE } from "../src/reference/run.js";

const FIXTURES = ["bench_int", "bench_mem", "bench_vfp"];
const fx = (n: string) => new URL(`../../fixtures/build/${n}.elf`, import.meta.url).pathname;
const CLI = new URL("../src/cli/main.js", import.meta.url).pathname;
const TIME = "/usr/bin/time";

/** What one `hypwasm` child reported. */
interface ChildRun {
  code: number | null;
  insns: number;
  /** In-process run time from --stats (ms), and the child's wall time. */
  runMs: number;
  wallMs: number;
  /** JIT compile time (worker + main thread) from --stats; 0 without the JIT. */
  compileMs: number;
  /** Peak resident memory in MiB (from /usr/bin/time; -1 when it is missing). */
  peakMiB: number;
  /** ms from start to the shell's ready marker (boots; -1 otherwise). */
  markerMs: number;
  out: string;
}

/** Run the hypwasm CLI with `args` (plus --stats) as a child process. */
function hypwasm(args: string[]): Promise<ChildRun> {
  const timed = existsSync(TIME);
  const cmd = timed ? TIME : "node";
  const argv = [...(timed ? ["-f", "bench-maxrss %M", "node"] : []), CLI, ...args, "--stats"];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let markerMs = -1;
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString("latin1");
      if (markerMs < 0 && READY_RE.test(out)) markerMs = performance.now() - t0;
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString("latin1");
    });
    p.on("close", (code) => {
      const run = /hypwasm: (\d+) instructions in ([\d.]+) ms/.exec(err);
      const jit = /hypwasm: jit: .* ([\d.]+) ms compiling/.exec(err);
      const rss = /bench-maxrss (\d+)/.exec(err);
      resolve({
        code,
        insns: run ? Number(run[1]) : -1,
        runMs: run ? Number(run[2]) : -1,
        wallMs: performance.now() - t0,
        compileMs: jit ? Number(jit[1]) : 0,
        peakMiB: rss ? Number(rss[1]) / 1024 : -1,
        markerMs,
        out,
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

function qemuMs(path: string): number {
  const t0 = performance.now();
  spawnSync(QEMU, [...QEMU_BAREMETAL_ARGS, path], { stdio: "ignore" });
  return performance.now() - t0;
}

const best = <T>(xs: T[], key: (x: T) => number): T => xs.reduce((a, b) => (key(a) <= key(b) ? a : b));

interface FixtureRow {
  fixture: string;
  insns: number;
  interpMips: number;
  jitRunMips: number;
  jitSteadyMips: number;
  qemuMips: number | null;
  compileShare: number;
  interpPeakMiB: number;
  jitPeakMiB: number;
}

interface BootRow {
  boot: string;
  mode: string;
  insns: number;
  markerMs: number;
  totalMs: number;
  compileShare: number;
  peakMiB: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf("--runs") + 1]) || 3;
  const json = args.includes("--json");
  const withQemu = !args.includes("--no-qemu");
  for (const f of [...FIXTURES, "hello"])
    if (!existsSync(fx(f))) {
      console.error(`bench: ${fx(f)} missing; run 'make -C fixtures' first`);
      process.exit(2);
    }
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
    if (on.insns !== off.insns || on.code !== off.code)
      throw new Error(
        `${f}: the JIT run differs (insns ${on.insns} vs ${off.insns}, exit ${on.code} vs ${off.code})`,
      );
    const steady = Math.max(...(await Promise.all(Array.from({ length: runs }, () => steadyMips(fx(f))))));
    const q = withQemu ? Math.min(...Array.from({ length: runs }, () => qemuMs(fx(f)))) : 0;
    rows.push({
      fixture: f,
      insns: off.insns,
      interpMips: off.insns / off.runMs / 1000,
      jitRunMips: on.insns / on.runMs / 1000,
      jitSteadyMips: steady,
      qemuMips: withQemu ? off.insns / Math.max(q - startup, 1) / 1000 : null,
      compileShare: on.compileMs / on.runMs,
      interpPeakMiB: off.peakMiB,
      jitPeakMiB: on.peakMiB,
    });
  }
  const boots: BootRow[] = [];
  const bootKinds = [
    ...(args.includes("--boot") ? ["linux"] : []),
    ...(args.includes("--xen") ? ["xen"] : []),
  ];
  for (const boot of bootKinds) {
    const kernel = imagePath("lpae");
    const initrd = imagePath("initramfs");
    const bootArgs =
      boot === "linux"
        ? ["--no-xen", "--kernel", kernel, "--initrd", initrd, "--append", "console=ttyAMA0"]
        : ["--xen-image", imagePath("xen"), "--dom0-kernel", kernel, "--initrd", initrd];
    const outs: string[] = [];
    for (const mode of ["off", "on"]) {
      const r = await hypwasm(["boot", ...bootArgs, "--cmd", "true", "--jit", mode]);
      if (r.code !== 0 || r.markerMs < 0)
        throw new Error(`${boot} boot with --jit ${mode} failed (exit ${r.code})`);
      outs.push(r.out);
      boots.push({
        boot,
        mode,
        insns: r.insns,
        markerMs: r.markerMs,
        totalMs: r.wallMs,
        compileShare: r.compileMs / r.runMs,
        peakMiB: r.peakMiB,
      });
    }
    const [a, b] = boots.slice(-2);
    if (a!.insns !== b!.insns || outs[0] !== outs[1])
      throw new Error(`${boot} boot: instruction count or console output differs with the JIT`);
  }
  if (json) {
    console.log(JSON.stringify({ runs, qemuStartupMs: startup, fixtures: rows, boots }, null, 2));
    return;
  }
  const c = (s: string | number, w: number) => String(s).padStart(w);
  const f1 = (x: number | null) => (x === null ? "-" : x.toFixed(1));
  console.log(`best of ${runs} runs; QEMU start-up (${startup.toFixed(0)} ms) subtracted`);
  console.log(
    "fixture      guest insns  interp MIPS  jit run MIPS  jit steady MIPS  qemu MIPS  compiling  peak MiB interp/jit",
  );
  for (const r of rows)
    console.log(
      `${r.fixture.padEnd(11)}${c(r.insns, 13)}${c(f1(r.interpMips), 13)}${c(f1(r.jitRunMips), 14)}${c(
        f1(r.jitSteadyMips),
        17,
      )}${c(f1(r.qemuMips), 11)}${c(`${(100 * r.compileShare).toFixed(1)} %`, 11)}${c(
        `${r.interpPeakMiB.toFixed(0)}/${r.jitPeakMiB.toFixed(0)}`,
        21,
      )}`,
    );
  if (boots.length) {
    console.log("\nboot   jit   guest insns     shell s   total s  compiling  peak MiB");
    for (const b of boots)
      console.log(
        `${b.boot.padEnd(7)}${b.mode.padEnd(4)}${c(b.insns, 14)}${c((b.markerMs / 1000).toFixed(1), 12)}${c(
          (b.totalMs / 1000).toFixed(1),
          10,
        )}${c(`${(100 * b.compileShare).toFixed(1)} %`, 11)}${c(b.peakMiB.toFixed(0), 10)}`,
      );
  }
}

await main();
