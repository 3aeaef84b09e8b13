// `hypwasm bench hypercalls`: the hypercall benchmark guests of fixtures/src/hcall on
// hypwasm (in this process) and, with `vsQemu`, on qemu-system-arm in the same run.
//
//   - xen_dom0.zImage: booted by Xen 4.17 as dom0 (QEMU: the reference's boot B without an
//     initrd), it issues N calls of each hypercall in timed batches and reports its
//     counter ticks per batch through console_io;
//   - hvc_rt.elf: bare metal with a one-instruction Hyp handler: the emulator's own trap path.
//
// Each batch lies between two marker calls (MARK_NR). On hypwasm the hypercall watcher
// (hypercalls.ts) sees every call: between the markers of a batch it counts the calls
// and the instructions retired (in total and in Hyp mode) and the host time taken. Those
// give calls per host second, instructions per call and, from the guest's own counter,
// guest time per call. QEMU has no instruction count: its calls per second come from the
// guest's counter, which under TCG follows host time.

import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeFdt } from "../board/fdt.js";
import { Machine } from "../board/machine.js";
import { VIRT_FDT_SIZE, VirtBoard } from "../board/virt.js";
import { DEFAULT_MEM_XEN, DEFAULT_XEN_ARGS } from "../cli/boot.js";
import { QEMU, qemuBareMetalArgs } from "../difftest/run.js";
import { fixturesDir } from "../difftest/toolchain.js";
import { bootXen } from "../loader/xen.js";
import { qemuXenArgs } from "../reference/xen-boot.js";
import {
  type HypercallEntry,
  type HypercallExit,
  type HypercallListener,
  watchHypercalls,
} from "./hypercalls.js";

export class BenchError extends Error {}

/** The marker call around each batch (fixtures/src/hcall/bench.h): r0 = phase, r1 = op, r2 = nr, r3 = calls. */
export const MARK_NR = 63;
const MARK_BEGIN = 0;
const MARK_END = 1;

/** Instructions per run slice. */
const SLICE = 1_000_000;
/**
 * Generous bounds on a run's instructions: start-up (Xen's boot, the warm-up pass), plus
 * per N one call of every operation (about 45,000 instructions together).
 */
const RUN_BOUND = 400_000_000;
const PER_N_BOUND = 1_000_000;

export type Fixture = "xen-dom0" | "bare-metal";

// ---- the guest's report ------------------------------------------------------------

export interface GuestOp {
  op: number;
  /** The hypercall number the batch issues. */
  nr: number;
  calls: number;
  /** Virtual counter ticks over all the op's batches. */
  ticks: number;
  /** r0 of the last call. */
  result: number;
  name: string;
}

export interface GuestReport {
  cntfrq: number;
  calls: number;
  ops: GuestOp[];
}

const HEX = "(0x[0-9a-f]+)";

/** Parse the report lines a benchmark guest wrote (console text; other lines are ignored). */
export function parseGuestReport(text: string): GuestReport {
  const head = new RegExp(`^hcall-bench cntfrq=${HEX} calls=${HEX}\\r?$`, "m").exec(text);
  if (!head || !/^hcall-bench done\r?$/m.test(text))
    throw new BenchError("the benchmark guest did not report (no 'hcall-bench' header or 'done' line)");
  const ops: GuestOp[] = [];
  const line = new RegExp(
    `^hcall op=${HEX} nr=${HEX} calls=${HEX} ticks=${HEX} result=${HEX} name=(.*?)\\r?$`,
    "gm",
  );
  for (const m of text.matchAll(line))
    ops.push({
      op: Number(m[1]),
      nr: Number(m[2]),
      calls: Number(m[3]),
      ticks: Number(m[4]),
      result: Number(m[5]) | 0,
      name: m[6]!,
    });
  return { cntfrq: Number(head[1]), calls: Number(head[2]), ops };
}

// ---- what hypwasm sees between the markers ---------------------------------------------

export interface OpWindows {
  /** The hypercall number and calls the markers announced, summed over the batches. */
  nr: number;
  calls: number;
  batches: number;
  /**
   * Calls between the markers (HVCs that Xen did not continue, see HypercallExit) with the
   * op's number, and with any other number.
   */
  counted: number;
  others: number;
  /** HVCs Xen preempted and the guest executed again (not counted as calls). */
  continuations: number;
  /** Instructions retired between the markers, in total and in Hyp mode; host time. */
  insns: number;
  hypInsns: number;
  hostMs: number;
}

/** A hypercall listener that adds up each batch between its markers, per op. */
export class MarkerWindows implements HypercallListener {
  readonly ops = new Map<number, OpWindows>();
  /** icount at the first marker: the guest's start-up (Xen's boot) before the batches. */
  firstMarker = -1;
  private open: { w: OpWindows; icount: number; hypIcount: number; hostMs: number } | null = null;

  call(e: HypercallEntry): void {
    if (e.nr !== MARK_NR) {
      if (this.open) {
        if (e.nr === this.open.w.nr) this.open.w.counted++;
        else this.open.w.others++;
      }
      return;
    }
    if (this.firstMarker < 0) this.firstMarker = e.icount;
    const o = this.open;
    if (e.args[0] !== MARK_END || !o) return;
    o.w.insns += e.icount - o.icount;
    o.w.hypInsns += e.hypIcount - o.hypIcount;
    o.w.hostMs += e.hostMs - o.hostMs;
    this.open = null;
  }

  ret(e: HypercallEntry, x: HypercallExit): void {
    if (e.nr !== MARK_NR) {
      // a continuation: the guest executes the same HVC again for the same call
      if (this.open && x.resumeAt === e.pc) {
        if (e.nr === this.open.w.nr) this.open.w.counted--;
        else this.open.w.others--;
        this.open.w.continuations++;
      }
      return;
    }
    if (e.args[0] !== MARK_BEGIN) return;
    const [, op, nr, calls] = e.args as [number, number, number, number];
    let w = this.ops.get(op);
    if (!w) {
      w = {
        nr,
        calls: 0,
        batches: 0,
        counted: 0,
        others: 0,
        continuations: 0,
        insns: 0,
        hypInsns: 0,
        hostMs: 0,
      };
      this.ops.set(op, w);
    }
    w.calls += calls;
    w.batches++;
    this.open = { w, icount: x.icount, hypIcount: x.hypIcount, hostMs: x.hostMs };
  }
}

// ---- runs --------------------------------------------------------------------------

export interface HypwasmRun {
  console: string;
  windows: MarkerWindows;
  insns: number;
  hostMs: number;
}

export interface QemuRun {
  console: string;
  hostMs: number;
}

/** The two fixtures (built with `make -C fixtures` if missing). */
export function fixturePaths(): Record<Fixture, string> {
  const dir = fixturesDir();
  const paths: Record<Fixture, string> = {
    "xen-dom0": join(dir, "build", "hcall", "xen_dom0.zImage"),
    "bare-metal": join(dir, "build", "hcall", "hvc_rt.elf"),
  };
  const missing = Object.values(paths).filter((p) => !existsSync(p));
  if (missing.length) {
    try {
      execFileSync("make", ["-C", dir, ...missing.map((p) => p.slice(dir.length + 1))], { stdio: "pipe" });
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      throw new BenchError(
        `cannot build the benchmark guests (make -C fixtures): ${err.stderr?.toString().trim() || err.message}`,
      );
    }
  }
  return paths;
}

/** The JIT mode of hypwasm's runs (as `hypwasm boot --jit`). */
export type HcallJit = "off" | "on";

/**
 * Run `m` in slices, with the hypercall watcher on (and the JIT unless `jit` is off), until
 * it halts or `limit` instructions.
 */
async function runWatched(
  m: Machine,
  limit: number,
  poll: () => void,
  output: () => string,
  jit: HcallJit,
): Promise<HypwasmRun> {
  const windows = new MarkerWindows();
  const j =
    jit === "off"
      ? null
      : await (await import("../../jit/jit.js")).enableJit(m.interp, { mode: jit, worker: true });
  const stop = watchHypercalls(m.cpu, windows);
  const t0 = performance.now();
  try {
    while (!m.cpu.halted && !m.interp.idleHalt && m.cpu.icount < limit) {
      m.interp.run(SLICE);
      poll();
    }
  } finally {
    stop();
    j?.close();
  }
  const hostMs = performance.now() - t0;
  const console = output();
  if (!m.cpu.halted)
    throw new BenchError(
      `the benchmark guest did not finish (${m.cpu.icount} instructions); console ends with:\n${console.slice(-2000)}`,
    );
  return { console, windows, insns: m.cpu.icount, hostMs };
}

/** Xen with the benchmark dom0 on hypwasm's virt board, as `hypwasm boot` loads it. */
export function runXenHypwasm(
  xen: Uint8Array,
  dom0: Uint8Array,
  calls: number,
  jit: HcallJit = "off",
): Promise<HypwasmRun> {
  const out: number[] = [];
  const board = new VirtBoard({ memMiB: DEFAULT_MEM_XEN, console: (b) => out.push(b), virtualization: true });
  const m = board.machine;
  bootXen(m.bus, m.cpu, {
    xen,
    dom0Kernel: dom0,
    dom0Args: dom0Args(calls),
    dtb: (modules) =>
      encodeFdt(board.deviceTree({ bootargs: DEFAULT_XEN_ARGS, modules }), { minSize: VIRT_FDT_SIZE }),
  });
  const limit = RUN_BOUND + calls * PER_N_BOUND;
  return runWatched(
    m,
    limit,
    () => board.poll(),
    () => Buffer.from(out).toString("latin1"),
    jit,
  );
}

/** The bare-metal round trip on hypwasm (`hypwasm run --virtualization --semihosting`). */
export function runBareHypwasm(elf: Uint8Array, jit: HcallJit = "off"): Promise<HypwasmRun> {
  const out: Buffer[] = [];
  const collect = (b: Uint8Array) => out.push(Buffer.from(b));
  const m = new Machine({ memMiB: 128, semihosting: true, el2: true, stdout: collect, stderr: collect });
  m.load(elf);
  return runWatched(
    m,
    RUN_BOUND,
    () => m.semihost?.flush(),
    () => Buffer.concat(out).toString("latin1"),
    jit,
  );
}

function dom0Args(calls: number): string {
  return `hcall.calls=${calls}`;
}

/** Run qemu-system-arm until it exits by itself; stdout and stderr together. */
function runQemu(args: string[], timeoutMs: number): Promise<QemuRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const q = spawn(QEMU, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const timer = setTimeout(() => q.kill("SIGKILL"), timeoutMs);
    q.stdout.on("data", (d: Buffer) => out.push(d));
    q.stderr.on("data", (d: Buffer) => out.push(d));
    q.on("error", (e) => {
      clearTimeout(timer);
      reject(new BenchError(`cannot run ${QEMU}: ${e.message}`));
    });
    q.on("close", (code, signal) => {
      clearTimeout(timer);
      const console = Buffer.concat(out).toString("latin1");
      if (signal || code !== 0)
        reject(
          new BenchError(
            `${QEMU} ${signal ? `killed after ${timeoutMs} ms` : `exited with ${code}`}; output ends with:\n${console.slice(-2000)}`,
          ),
        );
      else resolve({ console, hostMs: performance.now() - t0 });
    });
  });
}

/** Xen with the benchmark dom0 on QEMU: the reference's boot B (src/reference/xen-boot.ts) without an initrd. */
export function runXenQemu(xenPath: string, dom0Path: string, calls: number): Promise<QemuRun> {
  return runQemu(
    [
      ...qemuXenArgs(xenPath, dom0Path, dom0Args(calls)),
      ...["-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot"],
    ],
    120_000 + calls * 100,
  );
}

/** The bare-metal round trip on QEMU (-M virt,virtualization=on -semihosting). */
export function runBareQemu(elfPath: string): Promise<QemuRun> {
  return runQemu([...qemuBareMetalArgs("virt,virtualization=on"), elfPath], 120_000);
}

// ---- the table ---------------------------------------------------------------------

export interface HypwasmFigures {
  /** Marked batches the calls came in. */
  batches: number;
  /** Calls hypwasm counted between the markers with the op's number, and others (should be 0). */
  counted: number;
  others: number;
  /** HVCs that Xen preempted and the guest executed again (hypercall continuations). */
  continuations: number;
  callsPerHostSecond: number;
  /** Guest instructions per call between the markers (the guest's loop and the hypervisor's work). */
  insnsPerCall: number;
  /** Of which in Hyp mode. */
  hypInsnsPerCall: number;
  /** From the guest's virtual counter (1 instruction = 1 ns on hypwasm). */
  guestNsPerCall: number;
  result: number;
}

export interface QemuFigures {
  /** From the guest's counter, which follows host time under TCG. */
  callsPerHostSecond: number;
  guestNsPerCall: number;
  result: number;
}

export interface BenchRow {
  fixture: Fixture;
  op: number;
  nr: number;
  name: string;
  calls: number;
  hypwasm: HypwasmFigures;
  qemu?: QemuFigures;
  /** QEMU's calls per host second over hypwasm's: how many times longer a call takes on hypwasm. */
  slowdown?: number;
}

export interface BenchResult {
  /** Calls per hypercall in the Xen guest. */
  calls: number;
  rows: BenchRow[];
  hypwasm: {
    /** Instructions from reset to the dom0's first marker (Xen's boot and the guest's start). */
    xenBootInsns: number;
    xenInsns: number;
    xenHostSeconds: number;
    bareInsns: number;
    bareHostSeconds: number;
  };
  qemu?: { xenHostSeconds: number; bareHostSeconds: number };
  /** Disagreements between what the guests report and what hypwasm counted (or QEMU answered). */
  problems: string[];
}

const nsPerTick = (r: GuestReport) => 1e9 / r.cntfrq;

function hypwasmRows(fixture: Fixture, run: HypwasmRun, problems: string[]): BenchRow[] {
  const report = parseGuestReport(run.console);
  return report.ops.map((g) => {
    const w = run.windows.ops.get(g.op);
    const where = `${fixture} ${g.name}`;
    if (!w) {
      problems.push(`${where}: no marked batches seen`);
    } else {
      if (w.calls !== g.calls)
        problems.push(`${where}: markers announced ${w.calls} calls, the guest reports ${g.calls}`);
      if (w.counted !== g.calls)
        problems.push(`${where}: hypwasm counted ${w.counted} calls, the guest made ${g.calls}`);
      if (w.others) problems.push(`${where}: ${w.others} other hypercalls inside the batches`);
    }
    const per = (v: number) => v / g.calls;
    return {
      fixture,
      op: g.op,
      nr: g.nr,
      name: g.name,
      calls: g.calls,
      hypwasm: {
        batches: w?.batches ?? 0,
        counted: w?.counted ?? 0,
        others: w?.others ?? 0,
        continuations: w?.continuations ?? 0,
        callsPerHostSecond: w ? g.calls / (w.hostMs / 1000) : 0,
        insnsPerCall: per(w?.insns ?? 0),
        hypInsnsPerCall: per(w?.hypInsns ?? 0),
        guestNsPerCall: per(g.ticks * nsPerTick(report)),
        result: g.result,
      },
    };
  });
}

function addQemu(rows: BenchRow[], fixture: Fixture, run: QemuRun, problems: string[]): void {
  const report = parseGuestReport(run.console);
  for (const row of rows.filter((r) => r.fixture === fixture)) {
    const g = report.ops.find((o) => o.op === row.op);
    if (!g) {
      problems.push(`${fixture} ${row.name}: missing from QEMU's report`);
      continue;
    }
    const ns = (g.ticks * nsPerTick(report)) / g.calls;
    row.qemu = { callsPerHostSecond: 1e9 / ns, guestNsPerCall: ns, result: g.result };
    row.slowdown = row.qemu.callsPerHostSecond / row.hypwasm.callsPerHostSecond;
    if (g.result !== row.hypwasm.result)
      problems.push(
        `${fixture} ${row.name}: last result ${g.result} on QEMU, ${row.hypwasm.result} on hypwasm`,
      );
  }
}

export interface BenchOptions {
  calls: number;
  vsQemu: boolean;
  xenImage: string;
  log?: (line: string) => void;
  /** Default off (see the CLI option). */
  jit?: HcallJit;
}

function readInput(what: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new BenchError(`cannot read ${what} '${path}': ${(e as Error).message}`);
  }
}

export async function benchHypercalls(o: BenchOptions): Promise<BenchResult> {
  const log = o.log ?? (() => {});
  const paths = fixturePaths();
  const xen = readInput("the Xen image", o.xenImage);
  const problems: string[] = [];

  log(`hypwasm: Xen + the benchmark dom0, ${o.calls} calls per hypercall`);
  const hx = await runXenHypwasm(xen, readInput("the benchmark dom0", paths["xen-dom0"]), o.calls, o.jit);
  log("hypwasm: the bare-metal HVC round trip");
  const hb = await runBareHypwasm(readInput("the bare-metal benchmark", paths["bare-metal"]), o.jit);
  const rows = [...hypwasmRows("xen-dom0", hx, problems), ...hypwasmRows("bare-metal", hb, problems)];
  const result: BenchResult = {
    calls: o.calls,
    rows,
    hypwasm: {
      xenBootInsns: hx.windows.firstMarker,
      xenInsns: hx.insns,
      xenHostSeconds: hx.hostMs / 1000,
      bareInsns: hb.insns,
      bareHostSeconds: hb.hostMs / 1000,
    },
    problems,
  };
  if (o.vsQemu) {
    log("qemu: Xen + the benchmark dom0");
    const qx = await runXenQemu(o.xenImage, paths["xen-dom0"], o.calls);
    log("qemu: the bare-metal HVC round trip");
    const qb = await runBareQemu(paths["bare-metal"]);
    addQemu(rows, "xen-dom0", qx, problems);
    addQemu(rows, "bare-metal", qb, problems);
    result.qemu = { xenHostSeconds: qx.hostMs / 1000, bareHostSeconds: qb.hostMs / 1000 };
  }
  return result;
}

// ---- text output ---------------------------------------------------------------------

const int = (v: number) => Math.round(v).toLocaleString("en-US");
const one = (v: number) => v.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** The result as a table per hypercall, with notes on what each column measures. */
export function formatBench(r: BenchResult): string {
  const qemu = r.qemu !== undefined;
  const head = [
    "hypercall",
    "calls",
    "calls/s",
    "insns/call",
    "Hyp insns/call",
    "guest ns/call",
    ...(qemu ? ["qemu calls/s", "qemu guest ns/call", "hypwasm/qemu"] : []),
  ];
  const body = r.rows.map((row) => [
    row.name,
    int(row.calls),
    int(row.hypwasm.callsPerHostSecond),
    one(row.hypwasm.insnsPerCall),
    one(row.hypwasm.hypInsnsPerCall),
    int(row.hypwasm.guestNsPerCall),
    ...(row.qemu && row.slowdown !== undefined
      ? [int(row.qemu.callsPerHostSecond), int(row.qemu.guestNsPerCall), `${row.slowdown.toFixed(1)}x`]
      : qemu
        ? ["-", "-", "-"]
        : []),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const lines = [
    `Hypercalls: Xen 4.17 with the benchmark dom0 (fixtures/src/hcall), ${int(r.calls)} calls each, and the bare-metal HVC round trip`,
    "",
    `${" ".repeat(widths[0]! + 2)}${"hypwasm".padEnd(widths.slice(1, 6).reduce((a, b) => a + b + 2, 0))}${qemu ? "QEMU" : ""}`.trimEnd(),
    fmt(head),
    ...body.map(fmt),
    "",
    "calls/s: calls per host second (hypwasm: host time between the batch's markers; QEMU: the guest's",
    "  counter, which follows host time under TCG). insns/call: guest instructions per call between",
    "  the markers (the guest's loop and the hypervisor's work); Hyp: those in Hyp mode. guest ns/call:",
    "  the guest's virtual counter (CNTVCT; hypwasm: 1 instruction = 1 ns).",
    `hypwasm: Xen's boot to the first batch ${int(r.hypwasm.xenBootInsns)} instructions; Xen run ${int(r.hypwasm.xenInsns)} instructions in ${r.hypwasm.xenHostSeconds.toFixed(1)} s`,
  ];
  const continued = r.rows.filter((x) => x.hypwasm.continuations > 0);
  if (continued.length)
    lines.push(
      `hypwasm: Xen preempted calls that the guest then executed again (continuations, not counted as calls): ${continued.map((x) => `${x.name} ${x.hypwasm.continuations}`).join(", ")}`,
    );
  if (r.qemu)
    lines.push(
      "hypwasm/qemu: how many times longer a call takes on hypwasm, in host time.",
      `QEMU: Xen run ${r.qemu.xenHostSeconds.toFixed(1)} s (boot included)`,
    );
  lines.push(
    r.problems.length
      ? `INCONSISTENT:\n${r.problems.map((p) => `  ${p}`).join("\n")}`
      : "Consistent: every batch's calls counted by hypwasm equal the calls the guest made" +
          (qemu ? "; QEMU's results equal hypwasm's." : "."),
  );
  return lines.join("\n");
}
