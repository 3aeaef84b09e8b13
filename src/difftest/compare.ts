// Parsing dump records and comparing the two sides record by record, reporting the
// first difference of each stream decoded (stream, unit, instruction, register).

import { fieldName, KIND_NAMES, Kind, REC_MAGIC, RW, recordWords } from "./layout.js";
import type { StreamInfo } from "./stream.js";
import { disassemble } from "./toolchain.js";

export type Rec = Uint32Array;

export interface ParsedOutput {
  records: Rec[];
  /** Set when the output is not a whole number of well-formed records. */
  error?: string;
}

export function parseRecords(out: Buffer, vfp: boolean): ParsedOutput {
  const n = recordWords(vfp);
  const words = new Uint32Array(out.length >> 2);
  for (let i = 0; i < words.length; i++) words[i] = out.readUInt32LE(i * 4);
  const records: Rec[] = [];
  for (let i = 0; i + n <= words.length; i += n) {
    const r = words.subarray(i, i + n);
    if ((r[RW.KIND]! & 0xff000000) >>> 0 !== REC_MAGIC >>> 0 || ((r[RW.KIND]! >>> 8) & 1) !== (vfp ? 1 : 0)) {
      return { records, error: `bad record header 0x${r[RW.KIND]!.toString(16)} at byte ${i * 4}` };
    }
    records.push(r);
  }
  if (out.length % (n * 4) !== 0)
    return { records, error: `output length ${out.length} is not a multiple of ${n * 4}` };
  return { records };
}

/** Address of the instruction that trapped (the marker, or the faulting instruction). */
export function trapAddr(r: Rec): number {
  const kind = r[RW.KIND]! & 0xff;
  const lr = r[RW.LR]!;
  const thumb = (r[RW.PSR]! & 0x20) !== 0;
  switch (kind) {
    case Kind.UND:
    case Kind.SVC:
      return (lr - (thumb ? 2 : 4)) >>> 0;
    case Kind.PABT:
      return (lr - 4) >>> 0;
    default:
      return (lr - 8) >>> 0;
  }
}

export interface FieldDiff {
  field: string;
  /** Value in the previous record of the stream (the state before the unit), if any. */
  before?: number;
  qemu: number;
  hypwasm: number;
}

export interface Mismatch {
  stream: number;
  /** Unit index (-1: before the first unit / unknown). */
  unit: number;
  where: string;
  diffs: FieldDiff[];
  /** Disassembly of the unit. */
  insns: string[];
}

interface Loc {
  stream: number;
  unit: number;
  marker: boolean;
}

function buildAddrMap(streams: StreamInfo[]): Map<number, Loc> {
  const m = new Map<number, Loc>();
  for (const s of streams) {
    s.units.forEach((u, k) => {
      let a = u.addr;
      for (const w of u.words) {
        m.set(a, { stream: s.index, unit: k, marker: false });
        a += s.isa === "arm" || w >>> 0 > 0xffff ? 4 : 2;
      }
      m.set(u.marker, { stream: s.index, unit: k, marker: true });
    });
  }
  return m;
}

/** A stream's initial state in record form (the "before" of its first record). */
function initRecord(init: number[], vfp: boolean): Rec {
  const r = new Uint32Array(recordWords(vfp));
  for (let i = 0; i < 15; i++) r[RW.R0 + i] = init[i]!;
  r[RW.PSR] = init[15]!;
  let o = RW.VFP;
  if (vfp) {
    r[o] = init[16]!;
    for (let i = 0; i < 64; i++) r[o + 2 + i] = init[18 + i]!;
    o += 66;
  }
  for (let i = 0; i < init.length - 82; i++) r[o + i] = init[82 + i]!;
  return r;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, "0")}`;

function recDiffs(q: Rec, h: Rec, prev: Rec | undefined, vfp: boolean): FieldDiff[] {
  const d: FieldDiff[] = [];
  for (let i = 0; i < q.length; i++) {
    if (q[i] !== h[i]) d.push({ field: fieldName(i, vfp), before: prev?.[i], qemu: q[i]!, hypwasm: h[i]! });
  }
  return d;
}

function describe(r: Rec | undefined, loc: Loc | undefined): string {
  if (!r) return "no record";
  const kind = KIND_NAMES[r[RW.KIND]! & 0xff] ?? "?";
  if (!loc) return `${kind} at ${hex(trapAddr(r))} (outside the streams)`;
  return loc.marker
    ? `dump after unit ${loc.unit}`
    : `${kind} exception in unit ${loc.unit} at ${hex(trapAddr(r))}`;
}

/** Compare the records of a stream image; returns the first mismatch of each stream. */
export function compareStreams(
  streams: StreamInfo[],
  vfp: boolean,
  q: Rec[],
  h: Rec[],
  maxDisasm = 20,
): { mismatches: Mismatch[]; records: number } {
  const map = buildAddrMap(streams);
  const group = (recs: Rec[]) => {
    const by: Rec[][] = streams.map(() => []);
    const stray: Rec[] = [];
    for (const r of recs) {
      const loc = map.get(trapAddr(r));
      if (loc) by[loc.stream]!.push(r);
      else stray.push(r);
    }
    return { by, stray };
  };
  const Q = group(q);
  const H = group(h);
  const mismatches: Mismatch[] = [];
  const unitInsns = (s: number, k: number): string[] => {
    if (k < 0 || mismatches.length > maxDisasm) return [];
    const st = streams[s]!;
    const u = st.units[k]!;
    return disassemble(u.words, st.isa === "thumb", u.addr);
  };
  for (const st of streams) {
    const qs = Q.by[st.index]!;
    const hs = H.by[st.index]!;
    const n = Math.max(qs.length, hs.length);
    for (let i = 0; i < n; i++) {
      const qr = qs[i];
      const hr = hs[i];
      const ql = qr && map.get(trapAddr(qr));
      const hl = hr && map.get(trapAddr(hr));
      if (qr && hr && qr[RW.KIND] === hr[RW.KIND] && qr[RW.LR] === hr[RW.LR]) {
        const diffs = recDiffs(qr, hr, qs[i - 1] ?? initRecord(st.init, vfp), vfp);
        if (diffs.length === 0) continue;
        mismatches.push({
          stream: st.index,
          unit: ql!.unit,
          where: describe(qr, ql),
          diffs,
          insns: unitInsns(st.index, ql!.unit),
        });
      } else {
        // control flow diverged: report where each side went, against the unit before
        const unit = Math.min(ql?.unit ?? Number.POSITIVE_INFINITY, hl?.unit ?? Number.POSITIVE_INFINITY);
        const u = Number.isFinite(unit) ? unit : -1;
        mismatches.push({
          stream: st.index,
          unit: u,
          where: `control flow differs at record ${i}: qemu: ${describe(qr, ql)}; hypwasm: ${describe(hr, hl)}`,
          diffs: qr && hr ? recDiffs(qr, hr, qs[i - 1], vfp) : [],
          insns: unitInsns(st.index, u),
        });
      }
      break;
    }
  }
  if (
    Q.stray.length !== H.stray.length ||
    Q.stray.some((r, i) => recDiffs(r, H.stray[i]!, undefined, vfp).length)
  ) {
    mismatches.push({
      stream: -1,
      unit: -1,
      where: `records outside the streams differ: qemu ${Q.stray.length} (${Q.stray
        .slice(0, 3)
        .map((r) => describe(r, undefined))
        .join(", ")}), hypwasm ${H.stray.length} (${H.stray
        .slice(0, 3)
        .map((r) => describe(r, undefined))
        .join(", ")})`,
      diffs: [],
      insns: [],
    });
  }
  return { mismatches, records: q.length };
}

/** Compare the records of a directed fixture in order. */
export function compareSequential(vfp: boolean, q: Rec[], h: Rec[]): Mismatch[] {
  const out: Mismatch[] = [];
  const n = Math.max(q.length, h.length);
  for (let i = 0; i < n; i++) {
    const qr = q[i];
    const hr = h[i];
    if (!qr || !hr) {
      out.push({
        stream: -1,
        unit: i,
        where: `record ${i}: qemu: ${describe(qr, undefined)}; hypwasm: ${describe(hr, undefined)}`,
        diffs: [],
        insns: [],
      });
      break;
    }
    const diffs = recDiffs(qr, hr, q[i - 1], vfp);
    if (diffs.length) {
      const kind = KIND_NAMES[qr[RW.KIND]! & 0xff];
      out.push({
        stream: -1,
        unit: i,
        where: `record ${i} (${kind} at ${hex(trapAddr(qr))})`,
        diffs,
        insns: [],
      });
      if (qr[RW.LR] !== hr[RW.LR] || qr[RW.KIND] !== hr[RW.KIND]) break;
    }
  }
  return out;
}

/** NZCVQ of a PSR as letters (upper case = set). */
function nzcv(v: number): string {
  return [..."NZCVQ"].map((c, i) => ((v >>> (31 - i)) & 1 ? c : c.toLowerCase())).join("");
}

export function formatMismatch(m: Mismatch): string {
  const lines = [m.stream >= 0 ? `stream ${m.stream}, ${m.where}` : m.where];
  for (const i of m.insns) lines.push(`    ${i}`);
  for (const d of m.diffs.slice(0, 24)) {
    const before = d.before === undefined ? "" : ` (before ${hex(d.before)})`;
    const flags =
      d.field === "cpsr" || d.field === "fpscr" ? `  [${nzcv(d.qemu)} vs ${nzcv(d.hypwasm)}]` : "";
    lines.push(`  ${d.field.padEnd(16)} qemu=${hex(d.qemu)} hypwasm=${hex(d.hypwasm)}${before}${flags}`);
  }
  if (m.diffs.length > 24) lines.push(`  ... ${m.diffs.length - 24} more differing words`);
  return lines.join("\n");
}
