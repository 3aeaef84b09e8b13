// The benchmark suite, history, compare and report: CI's smoke of the benchmarks (no
// assertion on how fast anything is).
//   - compare's rules on hand-made records, the oracle being the rules written out here:
//     counts exact (an increase is a regression), times and rates beyond
//     max(min noise, each record's sample spread);
//   - `hypwasm bench --quick` twice on this build: valid records with the same counts,
//     and `bench compare` passes (exit 0);
//   - a third run with HYPWASM_BENCH_SLOWDOWN=20: the suite's run loops busy-wait 19
//     times as long as each slice of guest code took, so the emulator really runs
//     twenty times slower there; `bench compare` must exit 1 and name slowed figures, and only
//     measured ones (the guest executes the same instructions);
//   - `bench report`: the page, loaded in headless Chromium, has drawn one chart per
//     figure with one point per record that has the figure.
//
// The machine that runs the tests is shared by several jobs (a 2-core VM with a load of
// 4-8, other test files running beside this one): run-to-run swings of 2x in wall time
// are its noise, so the end-to-end compares use --min-noise 3 (a rate must fall to a
// quarter, a time quadruple); the planted slowdown is twenty-fold.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compareRecords, spread, TIME_FLOOR_MS } from "../../src/bench/compare.js";
import { readHistory, selectRecord } from "../../src/bench/history.js";
import type { BenchRecord, Figure } from "../../src/bench/record.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const SLOWDOWN = 20;
const MIN_NOISE = "3";
/** Groups whose run loops the planted slowdown slows. */
const SLOWED = /^(hotloop|jit|micro)\./;

function record(figures: Record<string, Figure>, extra: Partial<BenchRecord> = {}): BenchRecord {
  return {
    commit: "c0ffee",
    date: "2026-11-22T00:00:00.000Z",
    host: { cpu: "cpu", cores: 2, node: "v20", load: [0, 0, 0] },
    quick: true,
    skipped: [],
    figures,
    ...extra,
  };
}

const count = (value: number): Figure => ({ value, unit: "insns", kind: "count" });
const time = (samples: number[]): Figure => ({
  value: [...samples].sort((a, b) => a - b)[samples.length >> 1]!,
  unit: "s",
  kind: "time",
  samples,
});
const rate = (samples: number[]): Figure => ({ ...time(samples), unit: "MIPS", kind: "rate" });

function verdictOf(a: Figure, b: Figure, minNoise = 0.2): string {
  return compareRecords(record({ f: a }), record({ f: b }), minNoise).changes[0]!.verdict;
}

describe("bench compare's rules", () => {
  it("counts are compared exactly: any increase is a regression, any decrease an improvement", () => {
    expect(verdictOf(count(1000), count(1000))).toBe("same");
    expect(verdictOf(count(1000), count(1001))).toBe("worse");
    expect(verdictOf(count(1000), count(999))).toBe("better");
  });

  it("times: worse only beyond max(min noise, the spread of either record's samples)", () => {
    // A's samples 10..12 around a median of 11: spread 2/11 = 18% < 20% min noise.
    const a = time([10, 11, 12]);
    expect(spread(a)).toBeCloseTo(2 / 11);
    expect(verdictOf(a, time([13]))).toBe("same"); // 13 <= 11 * 1.2
    expect(verdictOf(a, time([13.3]))).toBe("worse"); // 13.3 > 13.2
    expect(verdictOf(a, time([9.5]))).toBe("same"); // 11 <= 9.5 * 1.2 = 11.4
    // min noise 10%: A's 18% spread sets the band: 11 <= 9.5 * 1.18 = 11.2, 11 > 9 * 1.18 = 10.6.
    expect(verdictOf(a, time([9.5]), 0.1)).toBe("same");
    expect(verdictOf(a, time([9]), 0.1)).toBe("better");
    // B's own spread (10..20 around 15: 67%) widens the band: 15 <= 11 * 1.67.
    expect(verdictOf(a, time([10, 15, 20]))).toBe("same");
  });

  it("times: a change of at most TIME_FLOOR_MS is noise however large relative to the time", () => {
    const ms = (samples: number[]): Figure => ({ ...time(samples), unit: "ms" });
    expect(verdictOf(ms([2]), ms([2 + TIME_FLOOR_MS]))).toBe("same");
    expect(verdictOf(ms([2]), ms([2.1 + TIME_FLOOR_MS]))).toBe("worse");
    expect(verdictOf(time([0.002]), time([0.02]))).toBe("same"); // seconds: 18 ms apart
    expect(verdictOf(time([0.002]), time([0.03]))).toBe("worse");
  });

  it("rates: higher is better, worse when A > B * (1 + noise)", () => {
    expect(verdictOf(rate([100]), rate([84]))).toBe("same"); // 100 <= 84 * 1.2 = 100.8
    expect(verdictOf(rate([100]), rate([83]))).toBe("worse"); // 100 > 99.6
    expect(verdictOf(rate([100]), rate([121]))).toBe("better");
  });

  it("with 8 samples or more the spread is the quartiles' (one outlier does not widen it)", () => {
    const s = [100, 100, 100, 100, 100, 100, 100, 1]; // sorted: 1, 100 x 7; quartiles at [2] and [5]
    expect(spread(rate(s))).toBe(0);
    expect(spread(rate(s.slice(0, 7).concat(1).slice(1)))).toBeCloseTo(99 / 100); // 7 samples: extremes
  });

  it("figures in one record only are new or gone, never regressions; quick and full records do not mix", () => {
    const c = compareRecords(record({ x: count(1) }), record({ y: count(1) }));
    expect(c.changes.map((x) => [x.name, x.verdict])).toEqual([
      ["x", "gone"],
      ["y", "new"],
    ]);
    expect(c.regressions).toEqual([]);
    expect(() => compareRecords(record({}), record({}, { quick: false }))).toThrow(/not comparable/);
  });
});

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync("node", [CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("hypwasm bench --quick, compare and report", () => {
  const dir = mkdtempSync(join(tmpdir(), "hypwasm-bench-"));
  const history = join(dir, "history.jsonl");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("two runs of the same build: valid records, the same counts, and compare passes", () => {
    for (let i = 0; i < 2; i++) {
      const r = cli(["bench", "--quick", "--history", history]);
      expect(r.code, r.err).toBe(0);
    }
    const [a, b] = readHistory(history) as [BenchRecord, BenchRecord];
    const head = spawnSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).stdout.trim();
    for (const r of [a, b]) {
      expect(r.commit.startsWith(head)).toBe(true);
      expect(r.quick).toBe(true);
      expect(r.plantedSlowdown).toBeUndefined();
      expect(r.host.cores).toBeGreaterThan(0);
      for (const g of ["hotloop", "micro"])
        expect(Object.keys(r.figures).some((n) => n.startsWith(`${g}.`))).toBe(true);
      for (const [name, f] of Object.entries(r.figures)) {
        // Counts may be 0 (no Hyp instructions in a Linux boot); host measurements may not.
        expect(Number.isFinite(f.value) && f.value >= (f.kind === "count" ? 0 : Number.MIN_VALUE), name).toBe(
          true,
        );
        if (f.kind !== "count") expect(f.samples?.length, name).toBeGreaterThan(0);
      }
    }
    // Deterministic counts: the same guest work on every run.
    const counts = (r: BenchRecord) =>
      Object.fromEntries(Object.entries(r.figures).filter(([, f]) => f.kind === "count"));
    expect(counts(b)).toEqual(counts(a));
    const c = cli(["bench", "compare", "0", "1", "--history", history, "--min-noise", MIN_NOISE]);
    expect(c.code, c.out).toBe(0);
    expect(c.out).toMatch(/no regression/);
  });

  it("a deliberately slowed build: compare exits non-zero and names the slowed figures", () => {
    // Only the groups the slowdown reaches (the hypercall runs are not slowed).
    const r = cli(["bench", "--quick", "--only", "hotloop,jit,micro", "--history", history], {
      HYPWASM_BENCH_SLOWDOWN: String(SLOWDOWN),
    });
    expect(r.code, r.err).toBe(0);
    const { record: slowed } = selectRecord(readHistory(history), "last");
    expect(slowed.plantedSlowdown).toBe(SLOWDOWN);
    const c = cli(["bench", "compare", "1", "last", "--history", history, "--min-noise", MIN_NOISE]);
    expect(c.code, c.out).toBe(1);
    const named = /REGRESSION in \d+ figure\(s\): (.*)/.exec(c.out)?.[1]?.split(", ") ?? [];
    expect(named.length).toBeGreaterThan(0);
    for (const n of named) {
      expect(n).toMatch(SLOWED);
      expect(slowed.figures[n]!.kind).not.toBe("count");
    }
    // The hot loops run guest code in the suite's own slices only: all must be caught.
    expect(named).toEqual(expect.arrayContaining(["hotloop.bench_int.mips", "hotloop.bench_mem.mips"]));
  });

  it("bench report: Chromium draws one chart per figure, a point per record that has it", () => {
    const page = join(dir, "report.html");
    expect(cli(["bench", "report", "--history", history, "--out", page]).code).toBe(0);
    expect(readFileSync(page, "utf8")).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // self-contained
    const b = spawnSync(
      "chromium",
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--virtual-time-budget=5000",
        "--dump-dom",
        `file://${page}`,
      ],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(b.error, "chromium (scripts/setup.sh installs it)").toBeUndefined();
    expect(b.status, b.stderr).toBe(0);
    const history3 = readHistory(history);
    const expected = new Map<string, number>();
    for (const r of history3)
      for (const n of Object.keys(r.figures)) expected.set(n, (expected.get(n) ?? 0) + 1);
    const charts = new Map<string, number>();
    for (const m of b.stdout.matchAll(/<svg[^>]*data-figure="([^"]+)"[^>]*>([\s\S]*?)<\/svg>/g)) {
      const d = /<path d="([^"]*)"/.exec(m[2]!)?.[1] ?? "";
      charts.set(m[1]!, (d.match(/[ML]/g) ?? []).length);
    }
    expect(charts).toEqual(expected);
    // The slowed run's figures have three points, the hypercalls' two.
    expect(charts.get("hotloop.bench_int.mips")).toBe(3);
  });
});
