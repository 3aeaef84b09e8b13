// Scripted boots to the busybox shell, on both sides: hypwasm's `boot --cmd` as a child
// process, and QEMU booting the same images with the serial console on a pipe, typing
// the same command line after the ready marker and the prompt. linux-boot.ts and
// xen-boot.ts give the two boots' command lines.

import { spawn } from "node:child_process";
import { READY_MARKER } from "../images/initramfs.js";

/** The initramfs' ready marker followed by the shell prompt. */
export const READY_RE = new RegExp(`${READY_MARKER}[\\s\\S]*# `);

/**
 * Linux's first console line (its banner, printed once its console is up). Without Xen it
 * comes after the zImage's decompressor, which is 60 % of the instructions to the shell.
 */
export const KERNEL_CONSOLE_RE = /Linux version /;

export interface HypwasmBoot {
  out: string;
  /** hypwasm's own messages (stderr). */
  err: string;
  /** Exit code; null when killed (timeout). */
  code: number | null;
  /** Guest instructions executed, boot to exit (from --stats; -1 if missing). */
  insns: number;
  /** The same split by privilege level (PL0, PL1, PL2 = Hyp), from --stats. */
  plInsns: number[] | null;
  /** Peak resident memory of the hypwasm process in MiB, from --stats (-1 if missing). */
  peakMiB: number;
  /** The main thread's (the guest's) ms on a core and waiting for one, from --stats (-1 if missing). */
  mainCpuMs: number;
  mainWaitMs: number;
  /** With the JIT: ms spent compiling and instructions run in compiled code, from --stats. */
  jit: { compileMs: number; insns: number } | null;
  /** ms from start to the ready marker (-1: never seen) and to exit. */
  markerMs: number;
  totalMs: number;
  /** ms from start to the kernel's first console line (KERNEL_CONSOLE_RE; -1: never seen). */
  consoleMs: number;
  timedOut: boolean;
}

/** Run `hypwasm boot <args> --cmd <cmd> --stats` (the CLI at `cli`, a built dist/src/cli/main.js). */
export function bootHypwasm(
  cli: string,
  args: string[],
  cmd: string,
  { timeoutMs = Number.POSITIVE_INFINITY } = {},
): Promise<HypwasmBoot> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn("node", [cli, "boot", ...args, "--cmd", cmd, "--stats"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let markerMs = -1;
    let consoleMs = -1;
    let timedOut = false;
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          timedOut = true;
          p.kill("SIGKILL");
        }, timeoutMs)
      : undefined;
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString("latin1");
      if (consoleMs < 0 && KERNEL_CONSOLE_RE.test(out)) consoleMs = performance.now() - t0;
      if (markerMs < 0 && READY_RE.test(out)) markerMs = performance.now() - t0;
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString("latin1");
    });
    p.on("close", (code) => {
      clearTimeout(timer);
      const m = /hypwasm: (\d+) instructions/.exec(err);
      const pl = /privilege level: PL0 (\d+) PL1 (\d+) PL2 (\d+)/.exec(err);
      const peak = /peak memory (\d+) MiB/.exec(err);
      const main = /main thread since start: (\d+) ms on a core, (\d+) ms waiting/.exec(err);
      const jit = /jit: .* ([\d.]+) ms compiling .* running (\d+) instructions/.exec(err);
      resolve({
        out,
        err,
        code,
        insns: m ? Number(m[1]) : -1,
        plInsns: pl ? [Number(pl[1]), Number(pl[2]), Number(pl[3])] : null,
        peakMiB: peak ? Number(peak[1]) : -1,
        mainCpuMs: main ? Number(main[1]) : -1,
        mainWaitMs: main ? Number(main[2]) : -1,
        jit: jit ? { compileMs: Number(jit[1]), insns: Number(jit[2]) } : null,
        markerMs,
        consoleMs,
        totalMs: performance.now() - t0,
        timedOut,
      });
    });
  });
}

export interface QemuBoot {
  out: string;
  /** ms from start to the ready marker / to the end of the command's output. */
  markerMs: number;
  doneMs: number;
  /** ms from start to the kernel's first console line (KERNEL_CONSOLE_RE; -1: never seen). */
  consoleMs: number;
  /** With `poweroff`: QEMU exited by itself after `poweroff -f` (the guest powered off). */
  poweredOff: boolean;
}

export interface QemuBootOptions {
  timeoutMs?: number;
  /** After the command, type `poweroff -f` and wait for QEMU to exit (else it is killed). */
  poweroff?: boolean;
}

const DONE = "QEMU-DONE";

/** Boot `qemu-system-arm <args>` (serial on stdio) and type `cmd` at the shell. */
export function bootQemu(
  qemu: string,
  args: string[],
  cmd: string,
  { timeoutMs = 180_000, poweroff = false }: QemuBootOptions = {},
): Promise<QemuBoot> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const q = spawn(
      qemu,
      [...args, "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot"],
      {
        stdio: ["pipe", "pipe", "ignore"],
      },
    );
    let out = "";
    let markerMs = -1;
    let doneMs = -1;
    let consoleMs = -1;
    const timer = setTimeout(() => {
      q.kill("SIGKILL");
      reject(new Error(`qemu: timeout; output:\n${out}`));
    }, timeoutMs);
    q.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    q.on("exit", () => {
      clearTimeout(timer);
      if (doneMs < 0) reject(new Error(`qemu exited before the command was done; output:\n${out}`));
      else resolve({ out, markerMs, doneMs, consoleMs, poweredOff: poweroff });
    });
    q.stdout.on("data", (d: Buffer) => {
      out += d.toString("latin1");
      if (consoleMs < 0 && KERNEL_CONSOLE_RE.test(out)) consoleMs = performance.now() - t0;
      if (markerMs < 0 && READY_RE.test(out)) {
        markerMs = performance.now() - t0;
        q.stdin.write(`${cmd}; echo ${DONE}\n`);
      }
      // The command's echo holds DONE too: its output's DONE line comes after.
      const echoed = out.indexOf(DONE);
      if (
        doneMs < 0 &&
        markerMs >= 0 &&
        echoed >= 0 &&
        new RegExp(`${DONE}\r*\n[\\s\\S]*# `).test(out.slice(echoed + DONE.length))
      ) {
        doneMs = performance.now() - t0;
        if (poweroff) q.stdin.write("poweroff -f\n");
        else q.kill("SIGKILL");
      }
    });
  });
}
