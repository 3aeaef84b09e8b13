#!/usr/bin/env node
// The hypwasm command line.

import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { Machine } from "../board/machine.js";
import { ImageError } from "../loader/image.js";

function fail(msg: string): never {
  process.stderr.write(`hypwasm: error: ${msg}\n`);
  process.exit(2);
}

function intArg(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
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

program
  .command("run")
  .description("run a bare-metal image (ELF, zImage or raw) on the virt board, as qemu-system-arm -kernel does")
  .argument("<image>", "kernel image: ELF, zImage or raw binary")
  .option("--semihosting", "enable ARM semihosting (console output, exit status)")
  .option("-m, --mem <MiB>", "guest RAM in MiB", intArg("--mem", 1), 128)
  .option("--max-insns <n>", "stop after this many guest instructions", intArg("--max-insns", 1))
  .option("--stats", "print execution statistics to stderr at exit")
  .action((image: string, o: { semihosting?: boolean; mem: number; maxInsns?: number; stats?: boolean }) => {
    const data = readImage(image);
    if (o.mem > 3072) fail("--mem: at most 3072 MiB (RAM window 0x40000000-0xffffffff)");
    const m = new Machine({ memMiB: o.mem, semihosting: !!o.semihosting });
    try {
      m.load(data);
    } catch (e) {
      if (e instanceof ImageError) fail(`${image}: ${e.message}`);
      throw e;
    }
    const t0 = performance.now();
    m.run(o.maxInsns);
    const ms = performance.now() - t0;
    if (o.stats) {
      const n = m.cpu.icount;
      const s = m.interp.stats;
      process.stderr.write(
        `hypwasm: ${n} instructions in ${ms.toFixed(1)} ms (${(n / ms / 1000).toFixed(1)} MIPS), ` +
          `${s.blocksDecoded} blocks decoded, ${s.invalidations} invalidations, ${s.flushes} flushes\n`,
      );
    }
    if (!m.cpu.halted && o.maxInsns !== undefined) {
      process.stderr.write(`hypwasm: stopped after ${m.cpu.icount} instructions (--max-insns)\n`);
      process.exitCode = 3;
      return;
    }
    process.exitCode = m.cpu.exitCode;
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  fail(e instanceof Error ? e.message : String(e));
});
