// Scripted Linux boots on both sides, used by the end-to-end tests and bench/boot:
// hypwasm's `boot --no-xen --cmd` as a child process, and the reference, QEMU
// (`qemu-system-arm -M virt,highmem=off -cpu cortex-a15`) booting the same kernel and
// initramfs and typing the same command line after the ready marker and the prompt.

import { QEMU } from "../difftest/run.js";
import { bootHypwasm, bootQemu, type HypwasmBoot, type QemuBoot } from "./run.js";

export { type HypwasmBoot, type QemuBoot, READY_RE } from "./run.js";

/** Run `hypwasm boot --no-xen` (the CLI at `cli`, a built dist/src/cli/main.js) with --cmd. */
export function bootHypwasmLinux(
  cli: string,
  kernel: string,
  initrd: string,
  cmd: string,
  extra: string[] = [],
): Promise<HypwasmBoot> {
  return bootHypwasm(
    cli,
    ["--no-xen", "--kernel", kernel, "--initrd", initrd, "--append", "console=ttyAMA0", ...extra],
    cmd,
  );
}

export function bootQemuLinux(
  kernel: string,
  initrd: string,
  cmd: string,
  { mem = 512, append = "console=ttyAMA0", timeoutMs = 180_000 } = {},
): Promise<QemuBoot> {
  return bootQemu(
    QEMU,
    ["-M", "virt,highmem=off", "-cpu", "cortex-a15", "-m", String(mem), "-nic", "none"].concat([
      "-kernel",
      kernel,
      "-initrd",
      initrd,
      "-append",
      append,
    ]),
    cmd,
    { timeoutMs },
  );
}
