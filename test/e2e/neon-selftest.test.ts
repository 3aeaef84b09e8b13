// End to end (issue 7): with NEON advertised, Debian's LPAE kernel boots on hypwasm with
// initramfs-neon and loads its NEON modules; the kernel's crypto manager checks every
// algorithm they register against its test vectors as it registers. QEMU boots the same
// kernel and initramfs in the same run: the same algorithms must register with the same
// self-test results, every one "passed", none missing; xor must have measured its
// routines (NEON among them) and picked one (the fastest in guest time, which differs
// between emulators, so which one is not compared).
// Needs the guest images (`hypwasm images fetch`); the test fetches them if missing.

import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { hasImage, imagePath } from "../../src/images/fetch.js";
import { bootHypwasmLinux, bootQemuLinux } from "../../src/reference/linux-boot.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const CMD = "neon-selftest";
const DONE = "neon-selftest: done";

/** The "driver result" lines neon-selftest prints (after the echoed command line). */
function selftests(out: string): Map<string, string> {
  const t = out.replaceAll("\r", "");
  // the shell's prompt ("# ", maybe a terminal query) and the echoed command line
  const echo = /# [^\n]*neon-selftest[^\n]*\n/.exec(t);
  expect(echo, "neon-selftest ran").not.toBeNull();
  const start = echo!.index + echo![0].length - 1;
  const end = t.indexOf(`\n${DONE}`, start);
  expect(end, "neon-selftest finished").toBeGreaterThan(start);
  const lines = t.slice(start + 1, end).split("\n");
  return new Map(
    lines.filter((l) => /^\S+ (passed|failed|unknown)$/.test(l)).map((l) => l.split(" ") as [string, string]),
  );
}

const logLines = (out: string, re: RegExp) =>
  out
    .replaceAll("\r", "")
    .split("\n")
    .filter((l) => re.test(l))
    .map((l) => l.replace(/^\[\s*[\d.]+\]\s*/, ""));

describe("the kernel's NEON self-tests", () => {
  beforeAll(() => {
    if (!["lpae", "initramfs-neon"].every((n) => hasImage(n))) {
      const r = spawnSync("node", [CLI, "images", "fetch"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`hypwasm images fetch failed: ${r.stderr}`);
    }
  }, 600_000);

  it("the crypto and xor NEON modules load and pass as on QEMU", async () => {
    const kernel = imagePath("lpae");
    const initrd = imagePath("initramfs-neon");
    const [h, q] = await Promise.all([
      bootHypwasmLinux(CLI, kernel, initrd, CMD),
      bootQemuLinux(kernel, initrd, CMD, { timeoutMs: 300_000 }),
    ]);
    expect(h.code).toBe(0);
    const ours = selftests(h.out);
    const ref = selftests(q.out);
    const neon = [...ref.keys()].filter((d) => /neon/.test(d));
    expect(neon.length).toBeGreaterThanOrEqual(20); // QEMU registers the NEON drivers
    expect([...ours]).toEqual([...ref]);
    expect([...ours.values()].every((r) => r === "passed")).toBe(true);
    expect(h.out).not.toMatch(/insmod \S+ failed|alg: .*fail|Oops|BUG:|undefined instruction/);
    // (each appears twice: on the console as logged, and in neon-selftest's dmesg excerpt)
    expect(new Set(logLines(h.out, /xor: measuring software checksum speed/)).size).toBe(1);
    expect(new Set(logLines(h.out, /xor: using function: \w+ \(\d+ MB\/sec\)/)).size).toBe(1);
  }, 900_000);
});
