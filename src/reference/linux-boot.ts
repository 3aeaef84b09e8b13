// Scripted Linux boots on both sides, used by the end-to-end tests and bench/boot:
// hypwasm's `boot --no-xen --cmd` as a child process, and the reference, QEMU
// (`qemu-system-arm -M virt,highmem=off -cpu cortex-a15`) booting the same kernel and
// initramfs and typing the same command line after the ready marker and the prompt.

import { spawn } from "node:child_process";
import { QEMU } from "../difftest/run.js";

export interface HypwasmBoot {
  out: string;
  code: number | null;
  /** Guest instructions executed, boot to exit (from --stats; -1 if missing). */
  insns: number;
  /** ms from start to the ready marker (-1: never seen) and to exit. */
  markerMs: number;
  totalMs: number;
}

/** Run `hypwasm boot --no-xen` (the CLI at `cli`, a built dist/src/cli/main.js) with --cmd. */
export function bootHypwasmLinux(
  cli: string,
  kernel: string,
  initrd: string,
  cmd: string,
): Promise<HypwasmBoot> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(
      "node",
      [cli, "boot", "--no-xen", "--kernel", kernel, "--initrd", initrd].concat([
        "--append",
        "console=ttyAMA0",
        "--cmd",
        cmd,
        "--stats",
      ]),
      { stdio: ["ignore", "pipe", "pipe"] },
    );
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
      const m = /hypwasm: (\d+) instructions/.exec(err);
      resolve({ out, code, insns: m ? Number(m[1]) : -1, markerMs, totalMs: performance.now() - t0 });
    });
  });
}

export interface QemuBoot {
  out: string;
  /** ms from start to the ready marker / to the end of the command's output. */
  markerMs: number;
  doneMs: number;
}

export const READY_RE = /HYPWASM-SHELL-READY[\s\S]*# /;

export function bootQemuLinux(
  kernel: string,
  initrd: string,
  cmd: string,
  { mem = 512, append = "console=ttyAMA0", timeoutMs = 180_000 } = {},
): Promise<QemuBoot> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const q = spawn(
      QEMU,
      ["-M", "virt,highmem=off", "-cpu", "cortex-a15", "-m", String(mem), "-nic", "none"]
        .concat(["-kernel", kernel, "-initrd", initrd, "-append", append])
        .concat(["-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot"]),
      { stdio: ["pipe", "pipe", "ignore"] },
    );
    let out = "";
    let markerMs = -1;
    const timer = setTimeout(() => {
      q.kill("SIGKILL");
      reject(new Error(`qemu: timeout; output:\n${out}`));
    }, timeoutMs);
    q.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    q.stdout.on("data", (d: Buffer) => {
      out += d.toString("latin1");
      if (markerMs < 0 && READY_RE.test(out)) {
        markerMs = performance.now() - t0;
        q.stdin.write(`${cmd}; echo QEMU-DONE\n`);
      }
      const echoed = out.indexOf("QEMU-DONE");
      if (markerMs >= 0 && echoed >= 0 && /QEMU-DONE\r?\n[\s\S]*# /.test(out.slice(echoed + 9))) {
        clearTimeout(timer);
        q.kill("SIGKILL");
        resolve({ out, markerMs, doneMs: performance.now() - t0 });
      }
    });
  });
}
