// `hypwasm bench compare A B`: each figure's change from record A to record B.
//
// Counts (guest instructions, blocks) are deterministic: any difference is real, and an
// increase is a regression. Host times and rates vary from run to run: a change counts
// only beyond the noise threshold
//
//   noise = max(minNoise, spread(A's samples), spread(B's samples)),
//   spread = (high - low) / median of one record's repeated measurements, where high and
//            low are the extremes for up to 7 samples and the quartiles from 8 on (the
//            many short samples of a micro benchmark have outliers of their own),
//
// i.e. B must fall outside the band A's own repetitions (and B's) showed, and never by
// less than minNoise (a figure measured once has no spread of its own). A time is worse
// when B > A·(1 + noise), a rate when B < A / (1 + noise).
//
// A time must also move by more than TIME_FLOOR_MS: on a loaded host one scheduler slice
// or GC pause shifts a measurement of a few milliseconds (a JIT compile) by several
// times its size, and no relative threshold tells that from a change in the code.

import { BenchError } from "./hcall.js";
import { type BenchRecord, type Figure, higherIsBetter, median } from "./record.js";

/** The least relative change taken for real on host times and rates. */
export const DEFAULT_MIN_NOISE = 0.2;

/** The least absolute change taken for real on a host time. */
export const TIME_FLOOR_MS = 25;
const MS_PER_UNIT: Record<string, number> = { s: 1000, ms: 1 };

export type Verdict = "same" | "better" | "worse" | "new" | "gone";

export interface FigureChange {
  name: string;
  kind: Figure["kind"];
  unit: string;
  a?: number;
  b?: number;
  /** b / a - 1. */
  change?: number;
  /** The relative threshold applied (0 for counts). */
  noise: number;
  verdict: Verdict;
}

export interface Comparison {
  changes: FigureChange[];
  regressions: FigureChange[];
  /** Why the two records may not be comparable (different hosts, a planted slowdown). */
  notes: string[];
}

/** Relative spread of a figure's samples (0 with fewer than two). */
export function spread(f: Figure): number {
  const s = [...(f.samples ?? [])].sort((x, y) => x - y);
  if (s.length < 2) return 0;
  const k = s.length >= 8 ? Math.floor(s.length / 4) : 0;
  const m = median(s);
  return m > 0 ? (s[s.length - 1 - k]! - s[k]!) / m : 0;
}

function judge(name: string, fa: Figure | undefined, fb: Figure | undefined, minNoise: number): FigureChange {
  const f = (fb ?? fa)!;
  const base = { name, kind: f.kind, unit: f.unit, a: fa?.value, b: fb?.value };
  if (!fa) return { ...base, noise: 0, verdict: "new" };
  if (!fb) return { ...base, noise: 0, verdict: "gone" };
  const change = fa.value === 0 ? (fb.value === 0 ? 0 : Number.POSITIVE_INFINITY) : fb.value / fa.value - 1;
  const noise = f.kind === "count" ? 0 : Math.max(minNoise, spread(fa), spread(fb));
  // A rate falls by at most 100%: compare it on the same scale as a time's rise.
  const perMs = f.kind === "time" ? MS_PER_UNIT[f.unit] : undefined;
  const beyondFloor = perMs === undefined || Math.abs(fb.value - fa.value) * perMs > TIME_FLOOR_MS;
  const worse =
    beyondFloor &&
    (higherIsBetter(f) ? fa.value > fb.value * (1 + noise) : fb.value > fa.value * (1 + noise));
  const better =
    beyondFloor &&
    (higherIsBetter(f) ? fb.value > fa.value * (1 + noise) : fa.value > fb.value * (1 + noise));
  return { ...base, change, noise, verdict: worse ? "worse" : better ? "better" : "same" };
}

export function compareRecords(a: BenchRecord, b: BenchRecord, minNoise = DEFAULT_MIN_NOISE): Comparison {
  // A quick run's counts cover shorter runs: they differ from a full run's by design.
  if (a.quick !== b.quick) throw new BenchError("a --quick record and a full record are not comparable");
  const names = [...new Set([...Object.keys(a.figures), ...Object.keys(b.figures)])].sort();
  const changes = names.map((n) => judge(n, a.figures[n], b.figures[n], minNoise));
  const notes: string[] = [];
  if (a.host.cpu !== b.host.cpu || a.host.cores !== b.host.cores)
    notes.push(`different hosts: ${a.host.cpu} x${a.host.cores} / ${b.host.cpu} x${b.host.cores}`);
  if (a.host.node !== b.host.node) notes.push(`different Node.js: ${a.host.node} / ${b.host.node}`);
  for (const [which, r] of [
    ["A", a],
    ["B", b],
  ] as const)
    if (r.plantedSlowdown)
      notes.push(`${which} ran with a planted slowdown (HYPWASM_BENCH_SLOWDOWN=${r.plantedSlowdown})`);
  return { changes, regressions: changes.filter((c) => c.verdict === "worse"), notes };
}

const num = (v: number | undefined) =>
  v === undefined ? "-" : Number.isInteger(v) ? v.toLocaleString("en-US") : v.toPrecision(6);
const pct = (v: number | undefined) =>
  v === undefined ? "" : !Number.isFinite(v) ? "inf" : `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)}%`;

export function formatComparison(c: Comparison, labelA: string, labelB: string): string {
  const head = ["figure", "kind", labelA, labelB, "change", "noise", "verdict"];
  const body = c.changes.map((x) => [
    x.name,
    x.kind,
    num(x.a),
    num(x.b),
    pct(x.change),
    x.kind === "count" ? "exact" : `±${(x.noise * 100).toFixed(0)}%`,
    x.verdict === "worse" ? "WORSE" : x.verdict,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((s, i) => (i === 0 || i === 1 || i === 6 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  const lines = [fmt(head), ...body.map(fmt)];
  for (const n of c.notes) lines.push(`note: ${n}`);
  lines.push(
    c.regressions.length
      ? `REGRESSION in ${c.regressions.length} figure(s): ${c.regressions.map((r) => r.name).join(", ")}`
      : "no regression",
  );
  return lines.join("\n");
}
