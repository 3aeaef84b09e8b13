// The reference boot: QEMU (`qemu-system-arm -M virt,highmem=off -cpu cortex-a15`) booting
// a Linux kernel and initramfs, typing a command line after the ready marker and the
// prompt, and returning the console transcript with the times at which the marker and
// the end of the command's output appeared. Used by the end-to-end tests and bench/boot.

import { spawn } from "node:child_process";
import { QEMU } from "../difftest/run.js";

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
