// The hypercall benchmark (a CI smoke: no timing assertions) and the hypercall trace.
// The guests (fixtures/src/hcall) count their own calls and time them with the virtual
// counter; what hypwasm counts from outside must agree with them:
//   - bare metal: every HVC round trip is seen, and the Hyp handler is one ERET at
//     HVBAR + 0x14 (the Hyp Trap vector, B1.8.1), so exactly one Hyp instruction per call;
//     the guest's counter (62.5 MHz, 16 ns a tick) agrees with the instructions counted
//     (1 instruction = 1 ns on hypwasm) up to the ticks' rounding and the few instructions
//     between a marker and the counter read;
//   - Xen: `hypwasm bench hypercalls --vs-qemu --json` counts as many calls of each
//     hypercall between the markers as the guest made, and QEMU, running the same Xen and
//     guest, gets the same results; results the Xen ABI fixes are checked by name;
//   - `hypwasm boot --trace hypercalls` with the same guest: between each batch's markers
//     the trace holds exactly the calls the guest reports, with the result it saw last.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type BenchResult,
  type BenchRow,
  fixturePaths,
  formatBench,
  MARK_NR,
  parseGuestReport,
  runBareHypwasm,
} from "../../src/bench/hcall.js";
import { hypercallName } from "../../src/bench/hypercalls.js";
import { hasImage } from "../../src/images/fetch.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const CALLS = 100;
/** Ticks of the 62.5 MHz counter, in ns. */
const NS_PER_TICK = 16;
/** Instructions of a batch outside the guest's timed interval (marker set-up, counter reads). */
const BATCH_SLACK = 48;

const paths = fixturePaths();

/** |instructions per call - guest ns per call| allowed: a tick's rounding and the slack, per batch. */
function agrees(insns: number, ns: number, batches: number, calls: number): boolean {
  return Math.abs(insns - ns) <= ((NS_PER_TICK + BATCH_SLACK) * batches) / calls;
}

describe("bare-metal HVC round trip", () => {
  it("every call is counted, with one Hyp instruction each, and the guest's counter agrees", async () => {
    const run = await runBareHypwasm(readFileSync(paths["bare-metal"]));
    const report = parseGuestReport(run.console);
    expect(report.ops).toHaveLength(1);
    const g = report.ops[0]!;
    const w = run.windows.ops.get(g.op)!;
    expect(w).toBeDefined();
    expect(w.calls).toBe(g.calls);
    expect(w.counted).toBe(g.calls);
    expect(w.others).toBe(0);
    expect(w.hypInsns).toBe(g.calls);
    expect(agrees(w.insns / g.calls, (g.ticks * 1e9) / report.cntfrq / g.calls, w.batches, g.calls)).toBe(
      true,
    );
    // the handler returns with r0 unchanged: the last call's argument, its index
    expect(g.result).toBe(g.calls - 1);
  });
});

const haveXen = () => hasImage("xen");

/** `hypwasm bench hypercalls --calls n --json [extra]`: its result (no problem) and the Xen rows. */
function benchHypercalls(calls: number, ...extra: string[]): { res: BenchResult; xen: BenchRow[] } {
  const r = spawnSync("node", [CLI, "bench", "hypercalls", "--calls", String(calls), "--json", ...extra], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  expect(r.status, r.stderr).toBe(0);
  const res = JSON.parse(r.stdout) as BenchResult;
  expect(res.problems).toEqual([]);
  return { res, xen: res.rows.filter((row) => row.fixture === "xen-dom0") };
}

describe("Xen hypercalls", () => {
  beforeAll(() => {
    if (!haveXen()) {
      const r = spawnSync("node", [CLI, "images", "fetch"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`hypwasm images fetch failed: ${r.stderr}`);
    }
  }, 600_000);

  it("bench hypercalls --vs-qemu: calls counted = calls made, QEMU's results = hypwasm's", () => {
    const { res, xen } = benchHypercalls(CALLS, "--vs-qemu");
    expect(xen.length).toBeGreaterThanOrEqual(12);
    const byName = (re: RegExp): BenchRow => xen.find((row) => re.test(row.name))!;
    for (const row of xen) {
      expect(row.calls, row.name).toBe(CALLS);
      expect(row.hypwasm.counted, row.name).toBe(CALLS);
      expect(row.hypwasm.others, row.name).toBe(0);
      expect(row.qemu?.result, row.name).toBe(row.hypwasm.result);
      expect(row.hypwasm.hypInsnsPerCall, row.name).toBeGreaterThan(0);
      expect(row.hypwasm.hypInsnsPerCall, row.name).toBeLessThan(row.hypwasm.insnsPerCall);
      const h = row.hypwasm;
      expect(agrees(h.insnsPerCall, h.guestNsPerCall, h.batches, row.calls), row.name).toBe(true);
    }
    // Results the ABI fixes: XENVER_version = major << 16 | minor; an unknown hypercall is
    // -ENOSYS; on Arm, vcpu_op supports only register_vcpu_info and
    // register_runstate_memory_area (arch-arm.h), so is_up is -EINVAL.
    expect(byName(/^xen_version/).hypwasm.result).toBe((4 << 16) | 17);
    expect(byName(/ENOSYS/).hypwasm.result).toBe(-38);
    expect(byName(/^vcpu_op/).hypwasm.result).toBe(-22);
    const bare = res.rows.find((row) => row.fixture === "bare-metal")!;
    expect(bare.hypwasm.hypInsnsPerCall).toBe(1);
    // the text table has a row per hypercall with QEMU's columns
    const table = formatBench(res);
    for (const row of res.rows) expect(table).toContain(row.name);
    expect(table).toContain("hypwasm/qemu");
    expect(table).toContain("Consistent");
  });

  it("a call Xen preempts and the guest executes again (a continuation) is counted once", () => {
    // With 2,000 calls a batch, Xen preempts one multicall between its entries (its timer
    // is due): it rewinds the guest to the HVC, which executes again to finish the call.
    // The guest counts one call; hypwasm sees two HVCs, the first returning to itself.
    // (Virtual time follows the instruction count: the run is the same every time.)
    const { xen } = benchHypercalls(2000);
    const continued = xen.reduce((a, row) => a + row.hypwasm.continuations, 0);
    expect(continued, "no continuation left to check: pick another --calls").toBeGreaterThan(0);
    for (const row of xen) expect(row.hypwasm.counted, row.name).toBe(2000);
  });

  it("boot --trace hypercalls: each batch's calls and last result are in the trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "hypwasm-trace-"));
    const file = join(dir, "hypercalls.trace");
    const calls = 20;
    const r = spawnSync(
      "node",
      [
        ...[CLI, "boot", "--dom0-kernel", paths["xen-dom0"], "--dom0-args", `hcall.calls=${calls}`],
        ...["--trace", "hypercalls", "--trace-file", file],
      ],
      { encoding: "latin1", maxBuffer: 1 << 26 },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = parseGuestReport(r.stdout);
    expect(report.ops.length).toBeGreaterThanOrEqual(12);
    const lines = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(r.stderr).toContain(`${lines.length} hypercalls traced`);
    // Walk the trace: "<icount> name(args) = result ..." with the markers as hypercall_63.
    const marker = new RegExp(
      `^\\d+ ${hypercallName(MARK_NR)}\\((0x[0-9a-f]+), (0x[0-9a-f]+), (0x[0-9a-f]+)`,
    );
    const seen = new Map<number, { calls: number; others: number; last: string }>();
    let open: { op: number; name: string } | null = null;
    for (const l of lines) {
      const m = marker.exec(l);
      if (m) {
        const [phase, op, nr] = [Number(m[1]), Number(m[2]), Number(m[3])];
        open = phase === 0 ? { op, name: hypercallName(nr) } : null;
        if (open && !seen.has(op)) seen.set(op, { calls: 0, others: 0, last: "" });
        continue;
      }
      if (!open) continue;
      const s = seen.get(open.op)!;
      if (/ = \(continued\)/.test(l)) continue; // Xen preempted it: the guest executes it again
      if (new RegExp(`^\\d+ ${open.name}\\(`).test(l)) {
        s.calls++;
        s.last = / = (-?\w+)/.exec(l)![1]!;
      } else s.others++;
    }
    for (const g of report.ops) {
      const s = seen.get(g.op);
      expect(s, g.name).toBeDefined();
      expect(s!.calls, g.name).toBe(g.calls);
      expect(s!.others, g.name).toBe(0);
      expect(Number(s!.last) | 0, g.name).toBe(g.result);
    }
  });
});
