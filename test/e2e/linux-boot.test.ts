// End to end: Debian's kernels (LPAE and non-LPAE armmp) boot on hypwasm to the busybox
// shell, run `uname -a; cat /proc/cpuinfo` and power off through PSCI. QEMU boots the
// same kernel and initramfs in the same run: the CPU identification and Features line
// must match (NEON excepted: hypwasm does not advertise it until issue 7), and the
// kernel log must not show warnings or oopses that QEMU's does not.
// Needs the guest images (`hypwasm images fetch`); the test fetches them if missing.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { imagePath } from "../../src/images/fetch.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const CMD = "uname -a; cat /proc/cpuinfo";

interface Boot {
  out: string;
  code: number | null;
  insns: number;
}

function bootHypwasm(kernel: string): Promise<Boot> {
  return new Promise((resolve) => {
    const p = spawn(
      "node",
      [CLI, "boot", "--no-xen", "--kernel", imagePath(kernel), "--initrd", imagePath("initramfs")].concat([
        "--append",
        "console=ttyAMA0",
        "--cmd",
        CMD,
        "--stats",
      ]),
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString("latin1");
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString("latin1");
    });
    p.on("close", (code) => {
      const m = /hypwasm: (\d+) instructions/.exec(err);
      resolve({ out, code, insns: m ? Number(m[1]) : -1 });
    });
  });
}

/** QEMU with the same images; types the same commands after the ready marker. */
function bootQemu(kernel: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const q: ChildProcess = spawn(
      "qemu-system-arm",
      ["-M", "virt,highmem=off", "-cpu", "cortex-a15", "-m", "512", "-nic", "none"]
        .concat(["-kernel", imagePath(kernel), "-initrd", imagePath("initramfs")])
        .concat(["-append", "console=ttyAMA0", "-display", "none", "-monitor", "none"])
        .concat(["-serial", "stdio", "-no-reboot"]),
      { stdio: ["pipe", "pipe", "ignore"] },
    );
    let out = "";
    let typed = false;
    const timer = setTimeout(() => {
      q.kill("SIGKILL");
      reject(new Error(`qemu: timeout; output:\n${out}`));
    }, 120_000);
    q.stdout?.on("data", (d: Buffer) => {
      out += d.toString("latin1");
      if (!typed && /HYPWASM-SHELL-READY[\s\S]*# /.test(out)) {
        typed = true;
        q.stdin?.write(`${CMD}; echo QEMU-DONE\n`);
      }
      if (/QEMU-DONE\r?\n[\s\S]*# /.test(out.slice(out.indexOf("QEMU-DONE") + 9))) {
        clearTimeout(timer);
        q.kill("SIGKILL");
        resolve(out);
      }
    });
  });
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

const haveImages = () => ["lpae", "armmp", "initramfs"].every((n) => existsSync(imagePath(n)));

describe("Linux boots to a shell (no hypervisor)", () => {
  beforeAll(() => {
    if (!haveImages()) {
      const r = spawnSync("node", [CLI, "images", "fetch"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`hypwasm images fetch failed: ${r.stderr}`);
    }
  }, 600_000);

  const lpae: Boot[] = [];

  for (const kernel of ["lpae", "armmp"]) {
    it(`${kernel}: shell, uname, cpuinfo as on QEMU, PSCI power-off`, async () => {
      const [h, q] = await Promise.all([bootHypwasm(kernel), bootQemu(kernel)]);
      if (kernel === "lpae") lpae.push(h);
      expect(h.out).toContain("HYPWASM-SHELL-READY");
      expect(h.out).toMatch(/Linux \S+ 6\.\S+ #1 SMP Debian .* armv7l GNU\/Linux/);
      expect(h.out).toContain("reboot: Power down");
      expect(h.code).toBe(0);
      for (const f of ["model name", "CPU implementer", "CPU architecture", "CPU variant", "CPU part"])
        expect(field(h.out, f), f).toBe(field(q, f));
      expect(field(h.out, "CPU revision")).toBe(field(q, "CPU revision"));
      const qemuFeatures = field(q, "Features")!
        .split(" ")
        .filter((x) => x !== "neon")
        .join(" ");
      expect(field(h.out, "Features")).toBe(qemuFeatures);
      const qw = new Set(warnings(q));
      expect(warnings(h.out).filter((w) => !qw.has(w))).toEqual([]);
    }, 900_000);
  }

  it("two boots with the same inputs execute the same number of instructions", async () => {
    const again = await bootHypwasm("lpae");
    expect(lpae.length).toBe(1);
    expect(again.insns).toBeGreaterThan(1e9);
    expect(again.insns).toBe(lpae[0]!.insns);
  }, 900_000);
});
