// The threads' priorities (jit/threads.ts): with the compile worker running, V8's platform
// threads get the main thread's nice value plus BACKGROUND_NICE, the main thread and the
// worker keep theirs. Checked
// against the kernel's own record (/proc/<pid>/task/<tid>/stat), in a child process
// (nice values cannot be lowered back without privilege).

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BACKGROUND_NICE } from "../../jit/threads.js";

const dist = new URL("../../dist/", import.meta.url).href;
const fixture = new URL("../../fixtures/build/bench_lz.elf", import.meta.url).pathname;

// A boot-like run with the worker, then every thread's nice value (field 19 of stat).
const child = `
import { readdirSync, readFileSync } from "node:fs";
const { enableJit } = await import("${dist}jit/jit.js");
const { Machine } = await import("${dist}src/board/machine.js");
const nice = (tid) => Number(readFileSync(\`/proc/self/task/\${tid}/stat\`, "utf8").split(") ")[1].split(" ")[16]);
const before = Object.fromEntries(readdirSync("/proc/self/task").map((t) => [t, nice(t)]));
const m = new Machine({ memMiB: 128, semihosting: true, stdout: () => {}, stderr: () => {} });
m.load(readFileSync(${JSON.stringify(fixture)}));
const jit = await enableJit(m.interp, { mode: "on", worker: true, threshold: 100 });
m.run(2_000_000);
await jit.settle();
const after = Object.fromEntries(readdirSync("/proc/self/task").map((t) => [t, nice(t)]));
console.log(JSON.stringify({ pid: process.pid, before, after, modules: jit.stats.modules }));
jit.close();
`;

describe("thread priorities", () => {
  it.runIf(existsSync("/proc/thread-self"))(
    "the platform threads yield to the main thread and the compile worker",
    () => {
      // (a file, not -e: the worker thread would inherit --input-type)
      const file = join(mkdtempSync(join(tmpdir(), "hypwasm-threads-")), "run.mjs");
      writeFileSync(file, child);
      const r = spawnSync("node", [file], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      const { pid, before, after, modules } = JSON.parse(r.stdout) as {
        pid: number;
        before: Record<string, number>;
        after: Record<string, number>;
        modules: number;
      };
      expect(modules).toBeGreaterThan(0);
      const base = before[String(pid)]!; // (the test may run under nice itself)
      expect(Object.values(before).every((n) => n === base)).toBe(true);
      expect(after[String(pid)]).toBe(base);
      const niced = Object.entries(after).filter(([, n]) => n === Math.min(19, base + BACKGROUND_NICE));
      const kept = Object.entries(after).filter(([t, n]) => n === base && t !== String(pid));
      // V8's platform threads (started with the process) are lowered; the worker,
      // started for the run, keeps its priority
      expect(niced.filter(([t]) => t in before).length).toBeGreaterThan(0);
      expect(kept.some(([t]) => !(t in before))).toBe(true);
    },
  );
});
