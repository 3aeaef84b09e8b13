// Running an image on both sides: QEMU (the oracle) as a child process, hypwasm in
// process. Both produce the dump records on the semihosting stdout.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { enableJit, type JitMode } from "../../jit/jit.js";
import { Machine } from "../board/machine.js";

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  /** Exit status (null: killed or did not halt). */
  code: number | null;
  note?: string;
}

export const QEMU = process.env.QEMU ?? "qemu-system-arm";

/** The reference command line for a bare-metal semihosting image (append the ELF). */
export const QEMU_BAREMETAL_ARGS = [
  "-M",
  "virt",
  "-cpu",
  "cortex-a15",
  "-display",
  "none",
  "-monitor",
  "none",
  "-serial",
  "none",
  "-nic",
  "none",
  "-semihosting",
  "-kernel",
];

/** QEMU_BAREMETAL_ARGS with another `-M` machine (e.g. `virt,virtualization=on`: the image starts in Hyp mode). */
export const qemuBareMetalArgs = (machine: string): string[] =>
  QEMU_BAREMETAL_ARGS.map((a) => (a === "virt" ? machine : a));

export function runQemu(elf: string, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(QEMU, [...QEMU_BAREMETAL_ARGS, elf], { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const t = setTimeout(() => {
      timedOut = true;
      p.kill("SIGKILL");
    }, timeoutMs);
    p.stdout.on("data", (b: Buffer) => out.push(b));
    p.stderr.on("data", (b: Buffer) => err.push(b));
    p.on("error", (e) => {
      clearTimeout(t);
      reject(e);
    });
    p.on("close", (code) => {
      clearTimeout(t);
      resolve({
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString(),
        code: timedOut ? null : code,
        note: timedOut ? `qemu timed out after ${timeoutMs} ms` : undefined,
      });
    });
  });
}

/** Run an image on hypwasm with the JIT in `jit` mode (issue 5). */
export async function runHypwasm(
  elf: string,
  maxInsns = 200_000_000,
  timeoutMs = 60_000,
  jit: JitMode = "off",
): Promise<RunResult> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const m = new Machine({
    memMiB: 128,
    semihosting: true,
    stdout: (b) => out.push(b),
    stderr: (b) => err.push(b),
  });
  m.load(readFileSync(elf));
  if (jit !== "off") await enableJit(m.interp, { mode: jit });
  let note: string | undefined;
  const t0 = performance.now();
  try {
    // in slices, so that a runaway guest is stopped by wall-clock time as well
    while (!m.cpu.halted && m.cpu.icount < maxInsns) {
      m.run(Math.min(maxInsns, m.cpu.icount + 2_000_000));
      if (performance.now() - t0 > timeoutMs) {
        note = `hypwasm timed out after ${timeoutMs} ms (${m.cpu.icount} instructions, pc=0x${(m.cpu.R[15]! >>> 0).toString(16)})`;
        break;
      }
    }
  } catch (e) {
    note = `hypwasm threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    m.semihost?.flush();
  }
  if (!note && !m.cpu.halted)
    note = `hypwasm did not halt within ${maxInsns} instructions (pc=0x${(m.cpu.R[15]! >>> 0).toString(16)})`;
  return {
    stdout: Buffer.concat(out),
    stderr: Buffer.concat(err).toString(),
    code: m.cpu.halted ? m.cpu.exitCode : null,
    note,
  };
}
