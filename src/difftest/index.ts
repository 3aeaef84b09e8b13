// The differential harness: random streams (or directed fixtures) run on QEMU and on
// hypwasm, dump records compared word by word. See README.md.

import type { JitMode } from "../../jit/jit.js";
import { compareSequential, compareStreams, formatMismatch, type Mismatch, parseRecords } from "./compare.js";
import { type RunResult, runHypwasm, runQemu } from "./run.js";
import { generateImage, generatorsFor, type StreamKind } from "./stream.js";
import { buildStreamImage, verifyLayout } from "./toolchain.js";

export { formatMismatch, type Mismatch } from "./compare.js";
export { groupNames } from "./gen/index.js";
export type { StreamKind } from "./stream.js";

export interface DiffOptions {
  kinds: StreamKind[];
  seed: number;
  /** Streams per kind. */
  count: number;
  /** Units per stream (default 16). */
  length?: number;
  /** Streams per image (default 400). */
  batch?: number;
  groups?: string[];
  /** Stop after this many mismatching streams (default 20). */
  maxMismatches?: number;
  log?: (line: string) => void;
  /** (issue 5) hypwasm runs each image once per JIT mode, each compared with QEMU (default: off). */
  jit?: JitMode[];
}

export interface DiffSummary {
  streams: number;
  units: number;
  records: number;
  images: number;
  mismatches: Mismatch[];
  /** Run-level failures (crash, timeout, malformed output, exit status). */
  errors: string[];
  rejected: Record<string, number>;
  generated: Record<string, number>;
  skippedKinds: StreamKind[];
}

function sideError(name: string, r: RunResult): string | undefined {
  if (r.note) return `${name}: ${r.note}${r.stderr ? `\n${r.stderr.trim()}` : ""}`;
  if (r.code !== 0) return `${name}: exit status ${r.code}${r.stderr ? `: ${r.stderr.trim()}` : ""}`;
  return undefined;
}

/** Run one image on QEMU and on hypwasm in each JIT mode. */
async function runImage(
  elf: string,
  modes: JitMode[],
  timeoutMs = 60_000,
): Promise<{ q: RunResult; hs: { mode: JitMode; h: RunResult }[] }> {
  const qp = runQemu(elf, timeoutMs);
  // let QEMU start while hypwasm runs in this process
  await new Promise((r) => setImmediate(r));
  const hs: { mode: JitMode; h: RunResult }[] = [];
  for (const mode of modes) hs.push({ mode, h: await runHypwasm(elf, 200_000_000, timeoutMs, mode) });
  const q = await qp;
  return { q, hs };
}

/** The hypwasm side's name in reports: the JIT mode when it is not off. */
const sideName = (mode: JitMode) => (mode === "off" ? "hypwasm" : `hypwasm --jit ${mode}`);

export async function runDifftest(o: DiffOptions): Promise<DiffSummary> {
  const log = o.log ?? (() => {});
  const length = o.length ?? 16;
  const batch = o.batch ?? 400;
  const maxMm = o.maxMismatches ?? 20;
  const sum: DiffSummary = {
    streams: 0,
    units: 0,
    records: 0,
    images: 0,
    mismatches: [],
    errors: [],
    rejected: {},
    generated: {},
    skippedKinds: [],
  };
  for (const kind of o.kinds) {
    if (generatorsFor(kind, o.groups).length === 0) {
      sum.skippedKinds.push(kind);
      continue;
    }
    for (let done = 0, b = 0; done < o.count; b++) {
      const n = Math.min(batch, o.count - done);
      const seed = (o.seed * 1000003 + b * 7919 + kind.length * 104729) >>> 0;
      const img = generateImage({ kind, seed, streams: n, length, groups: o.groups });
      const elf = buildStreamImage(img.source);
      verifyLayout(elf, img.streams);
      const { q, hs } = await runImage(elf, o.jit ?? ["off"]);
      sum.images++;
      for (const [k, v] of Object.entries(img.rejected)) sum.rejected[k] = (sum.rejected[k] ?? 0) + v;
      for (const [k, v] of Object.entries(img.generated)) sum.generated[k] = (sum.generated[k] ?? 0) + v;
      const tag = `${kind} image ${b} (seed ${seed}, ${elf})`;
      const qe = sideError("qemu", q);
      if (qe) sum.errors.push(`${tag}: ${qe}`);
      const qp = parseRecords(q.stdout, img.vfp);
      if (qp.error) sum.errors.push(`${tag}: qemu output: ${qp.error}`);
      let records = 0;
      for (const { mode, h } of hs) {
        const side = sideName(mode);
        const he = sideError(side, h);
        if (he) sum.errors.push(`${tag}: ${he}`);
        const hp = parseRecords(h.stdout, img.vfp);
        if (hp.error) sum.errors.push(`${tag}: ${side} output: ${hp.error}`);
        const c = compareStreams(img.streams, img.vfp, qp.records, hp.records);
        for (const m of c.mismatches)
          m.where = `[${kind} seed ${seed}${mode === "off" ? "" : ` jit ${mode}`}] ${m.where}`;
        sum.mismatches.push(...c.mismatches);
        records = c.records;
        log(
          `${tag}: ${side}: ${n} streams, ${c.records} records, ${c.mismatches.length} mismatching streams`,
        );
      }
      sum.records += records;
      sum.streams += n;
      sum.units += n * length;
      done += n;
      if (sum.mismatches.length >= maxMm || sum.errors.length >= maxMm) return sum;
    }
  }
  return sum;
}

export function formatSummary(s: DiffSummary, maxShown = 10): string {
  const lines: string[] = [];
  for (const m of s.mismatches.slice(0, maxShown)) lines.push(formatMismatch(m), "");
  if (s.mismatches.length > maxShown)
    lines.push(`... and ${s.mismatches.length - maxShown} more mismatching streams`, "");
  for (const e of s.errors.slice(0, maxShown)) lines.push(`error: ${e}`);
  const gen = Object.entries(s.generated)
    .map(([k, v]) => `${k}=${v}${s.rejected[k] ? ` (${s.rejected[k]} unpredictable rejected)` : ""}`)
    .join(", ");
  lines.push(
    `difftest: ${s.streams} streams, ${s.units} units, ${s.records} records in ${s.images} images; ` +
      `${s.mismatches.length} mismatching streams, ${s.errors.length} errors`,
  );
  if (gen) lines.push(`units by group: ${gen}`);
  if (s.skippedKinds.length) lines.push(`no generators (skipped): ${s.skippedKinds.join(", ")}`);
  return lines.join("\n");
}

export interface DirectedResult {
  mismatches: Mismatch[];
  errors: string[];
  records: number;
}

/** Run a directed fixture (fixtures/build/diff_*.elf) on both sides and compare. */
export async function runDirected(
  elf: string,
  timeoutMs = 20_000,
  jit: JitMode[] = ["off"],
): Promise<DirectedResult> {
  const { q, hs } = await runImage(elf, jit, timeoutMs);
  const errors: string[] = [];
  const qe = sideError("qemu", q);
  if (qe) errors.push(qe);
  const vfp = q.stdout.length >= 4 && ((q.stdout.readUInt32LE(0) >>> 8) & 1) === 1;
  const qp = parseRecords(q.stdout, vfp);
  if (qp.error) errors.push(`qemu output: ${qp.error}`);
  const mismatches: Mismatch[] = [];
  for (const { mode, h } of hs) {
    const side = sideName(mode);
    const he = sideError(side, h);
    if (he) errors.push(he);
    if (q.code !== h.code) errors.push(`exit status: qemu ${q.code}, ${side} ${h.code}`);
    const hp = parseRecords(h.stdout, vfp);
    if (hp.error) errors.push(`${side} output: ${hp.error}`);
    const ms = compareSequential(vfp, qp.records, hp.records);
    if (mode !== "off") for (const m of ms) m.where = `[jit ${mode}] ${m.where}`;
    mismatches.push(...ms);
  }
  return { mismatches, errors, records: qp.records.length };
}
