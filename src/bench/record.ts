// One benchmark run's record, as `hypwasm bench` appends it to the history (one JSON
// object per line), and the figures' kinds that decide how `bench compare` judges them.

import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";

/**
 * count: deterministic (guest instructions, blocks): compared exactly.
 * time / rate: host measurements: compared against a noise threshold from their samples.
 */
export type FigureKind = "count" | "time" | "rate";

export interface Figure {
  /** The figure: the median of `samples` when there are several. */
  value: number;
  unit: string;
  kind: FigureKind;
  /** One value per repeated measurement (time and rate figures). */
  samples?: number[];
}

export interface Host {
  cpu: string;
  cores: number;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  load: number[];
}

export interface BenchRecord {
  /** `git rev-parse HEAD`, with "+dirty" when the work tree had changes. */
  commit: string;
  /** ISO 8601. */
  date: string;
  host: Host;
  /** `--quick` (the CI smoke): shorter runs, so its counts differ from a full run's. */
  quick: boolean;
  /** HYPWASM_BENCH_SLOWDOWN (a test hook) when it was set: the runs were deliberately slowed. */
  plantedSlowdown?: number;
  /** Parts of the suite not run, with why (a missing image, no JIT in this build). */
  skipped: string[];
  figures: Record<string, Figure>;
}

/** The default history's directory, under the current directory. */
export const HISTORY_DIR = ".hypwasm-bench";

/** Lower is better for counts and times, higher for rates. */
export const higherIsBetter = (f: Figure) => f.kind === "rate";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A time or rate figure from repeated measurements: their median, with the samples kept. */
export function measured(kind: "time" | "rate", unit: string, samples: number[]): Figure {
  return { value: median(samples), unit, kind, samples };
}

export function counted(value: number, unit: string): Figure {
  return { value, unit, kind: "count" };
}

/** The commit of the work tree at `dir` ("unknown" outside a git checkout). */
export function currentCommit(dir: string): string {
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", dir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  try {
    const head = git("rev-parse", "HEAD");
    // Untracked sources change the build too; the history's own directory does not.
    return git("status", "--porcelain", "--", ".", `:!${HISTORY_DIR}`) ? `${head}+dirty` : head;
  } catch {
    return "unknown";
  }
}

export function currentHost(): Host {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? "unknown",
    cores: c.length,
    node: process.version,
    load: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
