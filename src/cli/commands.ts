// The hypwasm command line: its commands and options (main.ts is the entry).

import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { addJitOptions, type JitCliOptions, jitFromOptions, jitStatsLine } from "../../jit/cli.js";
import type { JitMode } from "../../jit/jit.js";
import { Machine } from "../board/machine.js";
import { ImageError } from "../loader/image.js";
import {
  type BootCliOptions,
  bootMain,
  DEFAULT_DOM0_ARGS,
  DEFAULT_LINUX_ARGS,
  DEFAULT_MEM_LINUX,
  DEFAULT_MEM_XEN,
  DEFAULT_TRACE_FILE,
  DEFAULT_XEN_ARGS,
} from "./boot.js";
import { mainThreadLine, runStatsLine } from "./stats.js";

function fail(msg: string): never {
  process.stderr.write(`hypwasm: error: ${msg}\n`);
  process.exit(2);
}

function intArg(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

function readImage(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    fail(`cannot read image '${path}': ${err.code === "ENOENT" ? "no such file" : err.message}`);
  }
}

const program = new Command();
program
  .name("hypwasm")
  .description("ARMv7-A Cortex-A15 (+Virtualization Extensions) emulator on a JavaScript engine")
  .showHelpAfterError("(run hypwasm --help for usage)");

const runCmd = program
  .command("run")
  .description(
    "run a bare-metal image (ELF, zImage or raw) on the virt board, as qemu-system-arm -kernel does",
  )
  .argument("<image>", "kernel image: ELF, zImage or raw binary")
  .option("--semihosting", "enable ARM semihosting (console output, exit status)")
  .option(
    "--virtualization",
    "the Virtualization Extensions (as -M virt,virtualization=on): EL2, GICH/GICV; the image starts in Hyp mode",
  )
  .option("-m, --mem <MiB>", "guest RAM in MiB", intArg("--mem", 1), 128)
  .option("--max-insns <n>", "stop after this many guest instructions", intArg("--max-insns", 1))
  .option("--stats", "print execution statistics to stderr at exit");
addJitOptions(runCmd) // (issue 5)
  .action(
    async (
      image: string,
      o: {
        semihosting?: boolean;
        virtualization?: boolean;
        mem: number;
        maxInsns?: number;
        stats?: boolean;
      } & JitCliOptions,
    ) => {
      const data = readImage(image);
      if (o.mem > 3072) fail("--mem: at most 3072 MiB (RAM window 0x40000000-0xffffffff)");
      const m = new Machine({ memMiB: o.mem, semihosting: !!o.semihosting, el2: !!o.virtualization });
      try {
        m.load(data);
      } catch (e) {
        if (e instanceof ImageError) fail(`${image}: ${e.message}`);
        throw e;
      }
      const jit = await jitFromOptions(m.interp, o);
      const t0 = performance.now();
      m.run(o.maxInsns);
      const ms = performance.now() - t0;
      if (o.stats) {
        process.stderr.write(`${runStatsLine(m, ms)}\n`);
        const main = mainThreadLine();
        if (main) process.stderr.write(`${main}\n`);
        if (jit) process.stderr.write(`${jitStatsLine(jit)}\n`);
      }
      if (!m.cpu.halted && o.maxInsns !== undefined) {
        process.stderr.write(`hypwasm: stopped after ${m.cpu.icount} instructions (--max-insns)\n`);
        process.exitCode = 3;
        return;
      }
      process.exitCode = m.cpu.exitCode;
    },
  );

// ---- difftest (owned by the differential-testing harness, src/difftest) ----------------
program
  .command("difftest")
  .description(
    "differential testing against qemu-system-arm: random instruction streams on both, states compared",
  )
  .option("--isa <isa>", "arm | thumb | vfp | thumb_vfp | neon | thumb_neon | all", "all")
  .option("--seed <n>", "PRNG seed", intArg("--seed", 0), 1)
  .option("--count <n>", "streams per ISA", intArg("--count", 1), 1000)
  .option("--length <n>", "units (instructions) per stream", intArg("--length", 1), 16)
  .option("--batch <n>", "streams per image (one QEMU run each)", intArg("--batch", 1), 400)
  .option("--groups <list>", "comma-separated generator groups (default: all)")
  .option(
    "--max-mismatches <n>",
    "stop after this many mismatching streams",
    intArg("--max-mismatches", 1),
    20,
  )
  .option("-v, --verbose", "log each image")
  .option(
    "--jit <modes>",
    "comma-separated JIT modes to run hypwasm in, each compared (off, on, always)",
    "off",
  )
  .action(
    async (o: {
      isa: string;
      seed: number;
      count: number;
      length: number;
      batch: number;
      groups?: string;
      maxMismatches: number;
      verbose?: boolean;
      jit: string;
    }) => {
      const { runDifftest, formatSummary, groupNames } = await import("../difftest/index.js");
      const { STREAM_KINDS } = await import("../difftest/stream.js");
      const all: readonly string[] = STREAM_KINDS;
      if (o.isa !== "all" && !all.includes(o.isa)) fail(`--isa: unknown ISA '${o.isa}'`);
      const kinds = o.isa === "all" ? [...STREAM_KINDS] : STREAM_KINDS.filter((k) => k === o.isa);
      const groups = o.groups?.split(",").map((g) => g.trim());
      const known = groupNames();
      for (const g of groups ?? [])
        if (!known.includes(g)) fail(`--groups: unknown group '${g}' (known: ${known.join(", ")})`);
      const jit = o.jit.split(",").map((m) => m.trim());
      for (const m of jit)
        if (m !== "off" && m !== "on" && m !== "always") fail(`--jit: unknown mode '${m}'`);
      const t0 = performance.now();
      const s = await runDifftest({
        kinds,
        seed: o.seed,
        count: o.count,
        length: o.length,
        batch: o.batch,
        groups,
        maxMismatches: o.maxMismatches,
        jit: jit as JitMode[],
        log: o.verbose ? (l) => process.stderr.write(`${l}\n`) : undefined,
      });
      process.stdout.write(`${formatSummary(s)}\n(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
      process.exitCode = s.mismatches.length || s.errors.length ? 1 : 0;
    },
  );
// ---- end difftest ----------------------------------------------------------------------

// ---- images (owned by guest images, src/images) -----------------------------------------
{
  const { registerImagesCommands } = await import("../images/cli.js");
  registerImagesCommands(program, fail);
}
// ---- end images ------------------------------------------------------------------------

// ---- bench (owned by the benchmarks, src/bench) -----------------------------------------
{
  const { registerBenchCommands } = await import("../bench/cli.js");
  registerBenchCommands(program, fail, intArg);
}
// ---- end bench -------------------------------------------------------------------------

// ---- boot (owned by the virt board / Linux and Xen boot, src/cli/boot.ts) ---------------
const bootCmd = program
  .command("boot")
  .description(
    "boot Xen 4.17 with a Linux dom0 (default) or, with --no-xen, Linux alone on the virt board; " +
      "the console is the PL011. Without image options it boots Debian's kernels and a busybox " +
      "initramfs from the image cache (fetched on first use).",
  )
  .option("--no-xen", "boot a Linux kernel directly (Linux boot protocol), without Xen")
  .option(
    "--dom0-kernel <lpae|armmp|file>",
    "dom0's kernel: a cached Debian flavour (armmp-lpae or armmp) or a zImage file (default: lpae)",
  )
  .option("--xen-image <file>", "the Xen image (default: Debian's xen-4.17-armhf from the cache)")
  .option("--xen-args <args>", `Xen's command line (default: "${DEFAULT_XEN_ARGS}")`)
  .option("--dom0-args <args>", `dom0's command line (default: "${DEFAULT_DOM0_ARGS}")`)
  .option("--kernel <file>", "with --no-xen: the Linux kernel, zImage or Image (default: Debian armmp-lpae)")
  .option("--initrd <file>", "initial ramdisk, dom0's or Linux's (default: the busybox initramfs)")
  .option("--append <args>", `with --no-xen: the kernel command line (default: "${DEFAULT_LINUX_ARGS}")`)
  .option(
    "-m, --mem <MiB>",
    `guest RAM in MiB (default: ${DEFAULT_MEM_XEN} with Xen, ${DEFAULT_MEM_LINUX} without)`,
    intArg("--mem", 1),
  )
  .option("--dtb <file>", "use this device tree instead of the generated one (/chosen is updated)")
  .option("--dump-dtb <file>", "write the device tree the guest would get to a file and exit")
  .option("--cmd <commands>", "type these shell commands at the prompt, print the console, power off")
  .option("--max-insns <n>", "stop after this many guest instructions", intArg("--max-insns", 1))
  .option("--rtc <host|seconds>", "PL031 start value (default: fixed 2026-01-01, deterministic)")
  .option(
    "--trace <hypercalls>",
    "with Xen: log every hypercall (name, arguments, result, guest instructions in Xen) to a file",
  )
  .option("--trace-file <file>", `where --trace writes (default: ${DEFAULT_TRACE_FILE})`)
  .option("--stats", "print execution statistics to stderr at exit");
addJitOptions(bootCmd) // (issue 5)
  .addHelpText(
    "after",
    `
Interactive console (stdin a terminal, no --cmd): keys go to the guest; Ctrl-A x quits,
Ctrl-A h lists the escapes, Ctrl-A Ctrl-A sends one Ctrl-A. Xen gives its console input
to dom0 by itself; to switch it to Xen and back (Xen's Ctrl-A three times), type
Ctrl-A Ctrl-A three times.`,
  )
  .action(async (o: BootCliOptions) => {
    process.exitCode = await bootMain(o);
  });
// ---- end boot --------------------------------------------------------------------------

program.parseAsync(process.argv).catch((e: unknown) => {
  fail(e instanceof Error ? e.message : String(e));
});
