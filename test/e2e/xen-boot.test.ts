// End to end: Xen 4.17 boots Debian's Linux as dom0 (LPAE and non-LPAE armmp) on
// hypwasm to the busybox shell; dom0 sees Xen (`/sys/hypervisor/type`, its Xen drivers
// in dmesg), and `poweroff -f` in dom0 makes Xen halt the machine, which ends hypwasm
// with exit code 0. QEMU boots the same images with the same command lines in the same
// run (the reference's boot B, src/reference/xen-boot.ts) and is the oracle:
//   - dom0's Xen driver lines (`dmesg | grep -i xen`, timestamps dropped) are QEMU's;
//   - Xen's own log is QEMU's line for line, except the lines listed in XEN_DIFFERS:
//     this covers the version banner, the CPU ID registers Xen decodes, PSCI/SMCCC, the
//     timer IRQs and frequency, the GIC's addresses, line count and IID, the VFP, the
//     P2M/VTCR set-up, dom0's memory banks, grant table, event channel PPI, where Xen
//     copies dom0's kernel, initrd and DTB, and the vGIC/HVC messages while dom0 boots.
// Needs the guest images (`hypwasm images fetch`); the test fetches them if missing.

import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { hasImage, imagePath } from "../../src/images/fetch.js";
import { bootHypwasmXen, bootQemuXen, type XenImages } from "../../src/reference/xen-boot.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const CMD = "cat /sys/hypervisor/type; dmesg | grep -i xen";
/** hypwasm gets this long per boot (about 1.5 minutes at the time of writing). */
const HYPWASM_TIMEOUT_MS = 20 * 60_000;

/**
 * Xen lines that differ from QEMU's, and why:
 *  - the GICv2m MSI frame: QEMU's board has one (for PCIe), ours has no PCIe and no frame,
 *    so Xen neither reports nor maps it for dom0;
 *  - "Guest atomics will try N times": Xen counts how many atomic operations fit in a
 *    fixed timer interval; virtual time runs at one instruction per nanosecond here and at
 *    the host's pace in QEMU;
 *  - "Loading d0 DTB to A-B": the end B depends on dom0's device tree size, which Xen
 *    builds from the board's (ours has fewer devices: see src/board/virt.ts); A is kept.
 */
const XEN_DIFFERS = [/v2m/i, /Guest atomics will try \d+ times/];
/** Some of the lines that must be equal. */
const XEN_KEY_LINES = [
  /Xen version 4\.17/,
  /Processor Features:/,
  /Generic Timer IRQ: phys=30 hyp=26 virt=27/,
  /gic_vcpu_addr=0000000008040000/,
  /GICv2: 288 lines/,
  /P2M: 40-bit IPA/,
  /Loading d0 kernel from boot module @ 0000000050000000/,
  /BANK\[0\] 0x00000060000000-0x00000070000000/,
  /Loading d0 DTB to/,
  /Hardware Dom0 halted/,
];
const DTB_LINE = /^(\(XEN\) Loading d0 DTB to 0x[0-9a-f]+)-0x[0-9a-f]+$/;

/** Xen's console lines, as compared: \r dropped, differing lines out, DTB end cut. */
function xenLines(out: string): string[] {
  return out
    .replaceAll("\r", "")
    .split("\n")
    .filter((l) => l.startsWith("(XEN)") && !XEN_DIFFERS.some((re) => re.test(l)))
    .map((l) => l.replace(DTB_LINE, "$1"));
}

/** The output of `dmesg | grep -i xen` (timestamps dropped): the lines between the
 * command's `xen` answer and the next prompt. */
function xenDriverLines(out: string): string[] {
  const t = out.replaceAll("\r", "");
  const start = t.indexOf("\nxen\n", t.lastIndexOf(CMD));
  expect(start, "no `xen` line after the command").toBeGreaterThan(0);
  const end = t.indexOf("# ", start);
  return t
    .slice(start + 5, end)
    .split("\n")
    .filter((l) => /^\[\s*[\d.]+\]/.test(l))
    .map((l) => l.replace(/^\[\s*[\d.]+\]\s*/, ""))
    .sort();
}

const haveImages = () => ["xen", "lpae", "armmp", "initramfs"].every((n) => hasImage(n));

describe("Xen + dom0 boot to a shell", () => {
  beforeAll(() => {
    if (!haveImages()) {
      const r = spawnSync("node", [CLI, "images", "fetch"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`hypwasm images fetch failed: ${r.stderr}`);
    }
  }, 600_000);

  for (const kernel of ["lpae", "armmp"]) {
    it(
      `${kernel} dom0: shell, /sys/hypervisor, Xen drivers and Xen's log as on QEMU, power-off`,
      async () => {
        const img: XenImages = {
          xen: imagePath("xen"),
          dom0Kernel: imagePath(kernel),
          initrd: imagePath("initramfs"),
        };
        const [h, q] = await Promise.all([
          bootHypwasmXen(CLI, img, CMD, { timeoutMs: HYPWASM_TIMEOUT_MS }),
          bootQemuXen(img, CMD),
        ]);
        const tail = `\n--- hypwasm transcript (end) ---\n${h.out.slice(-3000)}\n${h.err}`;
        expect(h.timedOut, tail).toBe(false);
        expect(h.out, tail).toContain("HYPWASM-SHELL-READY");
        expect(xenDriverLines(h.out)).toEqual(xenDriverLines(q.out));
        expect(xenDriverLines(h.out).length).toBeGreaterThanOrEqual(4);
        // Xen halts the machine when dom0 powers off: the last (XEN) lines say so on both.
        expect(q.poweredOff).toBe(true);
        expect(h.out).toContain("(XEN) Hardware Dom0 halted: halting machine");
        expect(xenLines(h.out)).toEqual(xenLines(q.out));
        // (not vacuous: the lines named in the header are among those compared)
        for (const re of XEN_KEY_LINES)
          expect(
            xenLines(q.out).some((l) => re.test(l)),
            String(re),
          ).toBe(true);
        expect(h.err).not.toMatch(/did not power off|stopped/);
        expect(h.code).toBe(0);
      },
      HYPWASM_TIMEOUT_MS + 120_000,
    );
  }
});
