// End to end: Debian's kernels (LPAE and non-LPAE armmp) boot on hypwasm to the busybox
// shell, run `uname -a; cat /proc/cpuinfo` and power off through PSCI. QEMU boots the
// same kernel and initramfs in the same run: the CPU identification and Features line
// (NEON included) must match, the kernel log must not show warnings or oopses that
// QEMU's does not, and the kernel must probe the same devices (less those our board
// deliberately leaves out).
// Needs the guest images (`hypwasm images fetch`); the test fetches them if missing.

import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { hasImage, imagePath } from "../../src/images/fetch.js";
import { bootHypwasmLinux, bootQemuLinux, type HypwasmBoot } from "../../src/reference/linux-boot.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const CMD = "uname -a; cat /proc/cpuinfo; ls -1 /sys/bus/platform/devices /sys/bus/amba/devices";

/** Devices QEMU's virt has and our board leaves out (see src/board/virt.ts). */
const OMITTED = /flash|pcie|fw-cfg|virtio_mmio|gpio-keys|platform-bus|9030000\.pl061/;

/** The devices the kernel probed, from the `ls -1` at the end of CMD. */
function devices(out: string): Set<string> {
  const t = out.replaceAll("\r", "");
  const start = t.indexOf("/sys/bus/platform/devices:");
  const end = t.indexOf("# ", start);
  const lines = t.slice(start, end).split("\n");
  return new Set(lines.filter((l) => l && !l.endsWith(":") && !l.startsWith("/") && l !== "QEMU-DONE"));
}

const field = (out: string, name: string) =>
  new RegExp(`^${name}\\s*: (.*?)\\s*$`, "m").exec(out.replaceAll("\r", ""))?.[1];
const WARN_RE = /WARNING:|Oops|BUG:|Call trace:|Unable to handle|Internal error|Kernel panic/;
const warnings = (out: string) =>
  out
    .replaceAll("\r", "")
    .split("\n")
    .filter((l) => WARN_RE.test(l))
    .map((l) => l.replace(/^\[\s*[\d.]+\]\s*/, ""));

const haveImages = () => ["lpae", "armmp", "initramfs"].every((n) => hasImage(n));

describe("Linux boots to a shell (no hypervisor)", () => {
  beforeAll(() => {
    if (!haveImages()) {
      const r = spawnSync("node", [CLI, "images", "fetch"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`hypwasm images fetch failed: ${r.stderr}`);
    }
  }, 600_000);

  const lpae: HypwasmBoot[] = [];

  for (const kernel of ["lpae", "armmp"]) {
    it(`${kernel}: shell, uname, cpuinfo as on QEMU, PSCI power-off`, async () => {
      const [h, qb] = await Promise.all([
        bootHypwasmLinux(CLI, imagePath(kernel), imagePath("initramfs"), CMD),
        bootQemuLinux(imagePath(kernel), imagePath("initramfs"), CMD),
      ]);
      const q = qb.out;
      if (kernel === "lpae") lpae.push(h);
      expect(h.out).toContain("HYPWASM-SHELL-READY");
      expect(h.out).toMatch(/Linux \S+ 6\.\S+ #1 SMP Debian .* armv7l GNU\/Linux/);
      expect(h.out).toContain("reboot: Power down");
      expect(h.code).toBe(0);
      for (const f of ["model name", "CPU implementer", "CPU architecture", "CPU variant", "CPU part"])
        expect(field(h.out, f), f).toBe(field(q, f));
      expect(field(h.out, "CPU revision")).toBe(field(q, "CPU revision"));
      expect(field(h.out, "Features")).toBe(field(q, "Features"));
      const hd = devices(h.out);
      const qd = devices(q);
      expect(hd.size).toBeGreaterThan(5);
      expect([...hd].filter((d) => !qd.has(d))).toEqual([]);
      expect([...qd].filter((d) => !hd.has(d) && !OMITTED.test(d))).toEqual([]);
      const qw = new Set(warnings(q));
      expect(warnings(h.out).filter((w) => !qw.has(w))).toEqual([]);
    }, 900_000);
  }

  it("the interpreter alone (--jit off) runs the same instructions and prints the same transcript as with the JIT", async () => {
    // virtual time is the instruction count: the console transcript, kernel timestamps
    // included, must be the same byte for byte
    const again = await bootHypwasmLinux(CLI, imagePath("lpae"), imagePath("initramfs"), CMD, [
      "--jit",
      "off",
    ]);
    expect(lpae.length).toBe(1);
    expect(lpae[0]!.err).toMatch(/jit: .* running \d+ instructions/); // the first boot ran with the JIT
    expect(again.err).not.toMatch(/jit:/);
    expect(again.insns).toBeGreaterThan(1e9);
    expect(again.insns).toBe(lpae[0]!.insns);
    expect(again.out).toBe(lpae[0]!.out);
  }, 900_000);
});
