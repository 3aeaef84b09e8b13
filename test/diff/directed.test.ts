// Directed differential fixtures: every fixtures/src/diff_*.S runs on QEMU and on
// hypwasm; the dump records (and exit status) must be identical.

import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { JitMode } from "../../jit/jit.js";
import { formatMismatch, runDirected } from "../../src/difftest/index.js";
import { fixturesDir } from "../../src/difftest/toolchain.js";

const dir = fixturesDir();
/** (issue 5) Each fixture runs on the interpreter alone and with the JIT (hot blocks; every block). */
const JIT_MODES: JitMode[] = ["off", "on", "always"];
const names = readdirSync(join(dir, "src"))
  .filter((f) => /^diff_.*\.(S|c)$/.test(f))
  .map((f) => f.replace(/\.(S|c)$/, ""))
  .sort();

describe("directed differential fixtures", () => {
  beforeAll(() => {
    execFileSync("make", ["-s", "-C", dir], { stdio: "inherit" });
  });

  it.each(names)(
    "%s matches qemu",
    async (name) => {
      const r = await runDirected(join(dir, "build", `${name}.elf`), 20_000, JIT_MODES);
      const report = [...r.errors, ...r.mismatches.slice(0, 5).map(formatMismatch)].join("\n\n");
      expect(report).toBe("");
      expect(r.records).toBeGreaterThan(0);
    },
    60_000,
  );
});
