// `hypwasm bench ...`: benchmarks run from the command line.

import { writeFileSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import { FetchError, fetchImages, imagePath } from "../images/fetch.js";
import { compareRecords, DEFAULT_MIN_NOISE, formatComparison } from "./compare.js";
import { BenchError, benchHypercalls, formatBench, type HcallJit } from "./hcall.js";
import { appendRecord, DEFAULT_HISTORY, readHistory, selectRecord } from "./history.js";
import type { BenchRecord } from "./record.js";
import { reportHtml } from "./report.js";
import { GROUPS, type Group, runSuite } from "./suite.js";

type Fail = (msg: string) => never;
type IntArg = (name: string, min: number) => (v: string) => number;

function groupsArg(v: string): Group[] {
  const gs = v.split(",").map((g) => g.trim());
  const bad = gs.filter((g) => !(GROUPS as readonly string[]).includes(g));
  if (bad.length)
    throw new InvalidArgumentError(`unknown group(s) ${bad.join(", ")}; groups: ${GROUPS.join(", ")}`);
  return gs as Group[];
}

function noiseArg(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError("--min-noise must be a fraction >= 0 (0.2 = 20%)");
  return n;
}

/** The figures of a record, one per line. */
function formatRecord(r: BenchRecord): string {
  const lines = Object.entries(r.figures).map(([name, f]) => {
    const v = Number.isInteger(f.value) ? f.value.toLocaleString("en-US") : f.value.toPrecision(6);
    const n = f.samples && f.samples.length > 1 ? ` (median of ${f.samples.length})` : "";
    return `  ${name}: ${v} ${f.unit}${n}`;
  });
  return [
    `commit ${r.commit}${r.quick ? " (quick)" : ""}${r.plantedSlowdown ? ` planted slowdown x${r.plantedSlowdown}` : ""}`,
    ...lines,
    ...r.skipped.map((s) => `  skipped: ${s}`),
  ].join("\n");
}

export function registerBenchCommands(program: Command, fail: Fail, intArg: IntArg): void {
  const withErrors = (f: () => Promise<void> | void) => async () => {
    try {
      await f();
    } catch (e) {
      if (e instanceof BenchError || e instanceof FetchError) fail(e.message);
      throw e;
    }
  };
  const bench = program.command("bench").description("benchmarks (without a subcommand: the suite)");
  // The suite is the default subcommand rather than bench's own action: options of a
  // parent command would take `--history`/`--json` from the subcommands after it.
  bench
    .command("suite", { isDefault: true })
    .description(
      "the whole suite (micro benchmarks, hot-loop MIPS, JIT, hypercalls, boots to the Linux and Xen dom0 " +
        "shells): one record appended to the history",
    )
    .option("--quick", "a short smoke run (CI): short hot loops, few hypercalls, no boots")
    .option("--runs <n>", "repetitions of each timed measurement", intArg("--runs", 1), 3)
    .option("--only <groups>", `groups to run, comma-separated: ${GROUPS.join(", ")}`, groupsArg)
    .option("--history <file>", "the history file", DEFAULT_HISTORY)
    .option("--json", "print the record as JSON")
    .action(async (o: { quick?: boolean; runs: number; only?: Group[]; history: string; json?: boolean }) => {
      await withErrors(async () => {
        const log = (l: string) => process.stderr.write(`${l}\n`);
        const record = await runSuite({ quick: !!o.quick, runs: o.runs, only: o.only, log });
        appendRecord(o.history, record);
        process.stdout.write(`${o.json ? JSON.stringify(record, null, 2) : formatRecord(record)}\n`);
        log(`bench: record appended to ${o.history}`);
      })();
    });
  bench
    .command("compare")
    .description(
      "compare two records of the history: counts exactly, host times and rates beyond a noise threshold " +
        "from their repeated runs; exits 1 on a regression. A and B: last, prev, an index (0 first, -1 last) " +
        "or a commit (prefix)",
    )
    .argument("[a]", "the baseline record", "prev")
    .argument("[b]", "the record compared with it", "last")
    .option("--history <file>", "the history file", DEFAULT_HISTORY)
    .option(
      "--min-noise <fraction>",
      "least relative change taken for real on times and rates",
      noiseArg,
      DEFAULT_MIN_NOISE,
    )
    .action(async (a: string, b: string, o: { history: string; minNoise: number }) => {
      await withErrors(() => {
        const history = readHistory(o.history);
        const ra = selectRecord(history, a);
        const rb = selectRecord(history, b);
        const c = compareRecords(ra.record, rb.record, o.minNoise);
        const label = (r: typeof ra) => `#${r.index} ${r.record.commit.slice(0, 10)}`;
        process.stdout.write(`${formatComparison(c, label(ra), label(rb))}\n`);
        process.exitCode = c.regressions.length ? 1 : 0;
      })();
    });
  bench
    .command("report")
    .description("write an HTML page with a chart of every figure over the history")
    .option("--history <file>", "the history file", DEFAULT_HISTORY)
    .option("-o, --out <file>", "the page to write", "bench-report.html")
    .action(async (o: { history: string; out: string }) => {
      await withErrors(() => {
        const history = readHistory(o.history);
        writeFileSync(o.out, reportHtml(history));
        process.stderr.write(`bench: ${history.length} records charted in ${o.out}\n`);
      })();
    });
  bench
    .command("hypercalls")
    .description(
      "hypercall costs: Xen 4.17 boots a benchmark dom0 (fixtures/src/hcall) that times N calls of each " +
        "hypercall, plus a bare-metal HVC round trip; prints calls per host second, guest instructions " +
        "per call (total and in Hyp mode) and guest time per call",
    )
    .option("--calls <n>", "calls per hypercall in the dom0", intArg("--calls", 1), 1000)
    .option("--vs-qemu", "run the same guests on qemu-system-arm too and show the ratio")
    .option("--json", "print the result as JSON")
    .option("--xen-image <file>", "the Xen image (default: Debian's xen-4.17-armhf from the image cache)")
    .addOption(
      new Option(
        "--jit <mode>",
        "hypwasm's wasm JIT (default off: today the short hypercall paths run faster in the interpreter)",
      )
        .choices(["off", "on"])
        .default("off"),
    )
    .action(
      async (o: { calls: number; vsQemu?: boolean; json?: boolean; xenImage?: string; jit: HcallJit }) => {
        const log = (l: string) => process.stderr.write(`${l}\n`);
        let xenImage = o.xenImage;
        try {
          if (xenImage === undefined) {
            fetchImages({ log: (l) => log(`hypwasm: ${l}`) });
            xenImage = imagePath("xen");
          }
          const r = await benchHypercalls({ calls: o.calls, vsQemu: !!o.vsQemu, xenImage, log, jit: o.jit });
          process.stdout.write(`${o.json ? JSON.stringify(r, null, 2) : formatBench(r)}\n`);
          process.exitCode = r.problems.length ? 1 : 0;
        } catch (e) {
          if (e instanceof BenchError || e instanceof FetchError) fail(e.message);
          throw e;
        }
      },
    );
}
