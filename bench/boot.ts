// Boot benchmark: time from start to the shell's ready marker on hypwasm and on
// qemu-system-arm, side by side in the same run, plus the guest instructions hypwasm
// executed from reset to power-off (deterministic: the same on every run and in every
// JIT mode), split by privilege level (PL0 user, PL1 kernel, PL2 Hyp). Each JIT mode is
// a row: with the JIT, the share of wall time its compiles took (in the worker thread)
// and the share of instructions run in compiled code; peak memory and the main thread's
// time on a core (steadier than the wall time) and waiting for one for every row. The boot
// is also split at Linux's banner (its first console line): before it, without Xen, the
// zImage's XZ decompressor (60 % of the instructions to the shell); with Xen, Xen and dom0's.
//
//   node dist/bench/boot.js [--no-xen] [--kernel lpae|armmp] [--jit off,on] [--runs N] [--json]
//
// Default: Xen 4.17 + dom0 (the reference's boot B); --no-xen: Linux alone (boot A).

import { imagePath } from "../src/images/fetch.js";
import { bootHypwasmLinux, bootQemuLinux } from "../src/reference/linux-boot.js";
import type { HypwasmBoot } from "../src/reference/run.js";
import { bootHypwasmXen, bootQemuXen, type XenImages } from "../src/reference/xen-boot.js";

const CLI = new URL("../src/cli/main.js", import.meta.url).pathname;
const CMD = "echo hello";
const JIT_MODES = ["off", "on"];

interface Side {
  hypwasm: (extra: string[]) => Promise<HypwasmBoot>;
  qemu: () => Promise<{ markerMs: number; consoleMs: number }>;
}

function sides(xen: boolean, kernel: string): Side {
  const k = imagePath(kernel === "armmp" ? "armmp" : "lpae");
  const initrd = imagePath("initramfs");
  if (!xen)
    return {
      hypwasm: (extra) => bootHypwasmLinux(CLI, k, initrd, CMD, extra),
      qemu: () => bootQemuLinux(k, initrd, CMD),
    };
  const img: XenImages = { xen: imagePath("xen"), dom0Kernel: k, initrd };
  return { hypwasm: (extra) => bootHypwasmXen(CLI, img, CMD, { extra }), qemu: () => bootQemuXen(img, CMD) };
}

const opt = (args: string[], name: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const xen = !args.includes("--no-xen");
  const kernel = opt(args, "--kernel") ?? "lpae";
  const runs = Number(opt(args, "--runs")) || 1;
  const modes = (opt(args, "--jit") ?? JIT_MODES.join(",")).split(",");
  for (const m of modes) if (!JIT_MODES.includes(m)) throw new Error(`--jit: unknown mode '${m}'`);
  const side = sides(xen, kernel);
  const h = new Map<string, HypwasmBoot[]>(modes.map((m) => [m, []]));
  const q: number[] = [];
  const qConsole: number[] = [];
  // interleaved, so that a change in the host's load hits every side alike
  for (let i = 0; i < runs; i++) {
    for (const mode of modes) {
      const r = await side.hypwasm(["--jit", mode]);
      if (r.code !== 0 || r.insns < 0 || r.markerMs < 0)
        throw new Error(`hypwasm boot (--jit ${mode}) failed (exit ${r.code})`);
      h.get(mode)!.push(r);
    }
    const qr = await side.qemu();
    if (qr.markerMs < 0) throw new Error("qemu boot did not reach the marker");
    q.push(qr.markerMs);
    qConsole.push(qr.consoleMs);
  }
  const qm = Math.min(...q);
  const qc = Math.min(...qConsole);
  const all = [...h.values()].flat();
  // virtual time is the instruction count: every run, in every JIT mode, prints the same console
  if (new Set(all.map((x) => x.out)).size > 1)
    throw new Error("hypwasm's console output differs between runs or JIT modes");
  const insns = [...new Set(all.map((x) => x.insns))];
  const pl = all[0]!.plInsns;
  const rows = modes.map((mode) => {
    const rs = h.get(mode)!;
    const best = rs.reduce((a, b) => (b.markerMs < a.markerMs ? b : a));
    const leastCpu = rs.reduce((a, b) => (b.mainCpuMs < a.mainCpuMs ? b : a));
    return {
      jit: mode,
      markerMs: best.markerMs,
      ratio: best.markerMs / qm,
      peakMiB: Math.max(...rs.map((x) => x.peakMiB)),
      // the guest's thread on a core (less noisy than the wall time) and its waits for one,
      // both of the run with the least of the first
      mainCpuMs: leastCpu.mainCpuMs,
      mainWaitMs: leastCpu.mainWaitMs,
      // the first part of the boot: Linux's banner (after the decompressor; with Xen, after Xen built dom0)
      consoleMs: Math.min(...rs.map((x) => x.consoleMs)),
      compileShare: best.jit ? best.jit.compileMs / best.totalMs : null,
      compiledInsnShare: best.jit ? best.jit.insns / best.insns : null,
    };
  });
  const r = {
    boot: xen ? "xen+dom0" : "linux",
    kernel,
    runs,
    qemuMarkerMs: qm,
    qemuConsoleMs: qc,
    hypwasm: rows,
    hypwasmInsnsToPoweroff: insns,
    hypwasmInsnsByPl: pl ? { pl0: pl[0], pl1: pl[1], pl2: pl[2] } : null,
  };
  if (args.includes("--json")) {
    console.log(JSON.stringify(r, null, 2));
    return;
  }
  const what = xen ? `Xen 4.17 + dom0 (${kernel})` : `Linux (${kernel})`;
  const pct = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);
  const sec = (ms: number) => (ms / 1000).toFixed(2);
  console.log(
    `${what} to the shell's ready marker, best of ${runs}; qemu ${sec(qm)} s (Linux's banner at ${sec(qc)} s)`,
  );
  const split = (c: number, m: number) =>
    c < 0 || qc < 0
      ? "(no banner seen)"
      : `(to the banner ${sec(c)} s, ${(c / qc).toFixed(1)}x; banner to marker ${((m - c) / (qm - qc)).toFixed(1)}x)`;
  for (const x of rows)
    console.log(
      `  hypwasm --jit ${x.jit.padEnd(3)} ${sec(x.markerMs).padStart(7)} s  ` +
        `${x.ratio.toFixed(1).padStart(5)}x qemu  ${split(x.consoleMs, x.markerMs)}  peak ${x.peakMiB} MiB  ` +
        `compiling ${pct(x.compileShare)} of wall time  compiled code ran ${pct(x.compiledInsnShare)} of instructions` +
        (x.mainCpuMs < 0
          ? ""
          : `  main thread ${sec(x.mainCpuMs)} s on a core (${sec(x.mainWaitMs)} s waiting)`),
    );
  console.log(
    `  hypwasm guest instructions, boot to power-off: ${insns.join(", ")}${insns.length > 1 ? " (NOT deterministic!)" : ""}`,
  );
  if (pl) console.log(`    by privilege level: PL0 ${pl[0]}  PL1 ${pl[1]}  PL2 (Hyp) ${pl[2]}`);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
