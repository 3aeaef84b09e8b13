// Random stream generation: picks units from the enabled generators, lays the streams
// out at fixed addresses, draws the initial states, and writes the assembly source of
// the image (linked with fixtures/src/lib/start.S + streams.S).

import { decodeWord } from "../decode/pattern.js";
import "../sem/all.js";
import { GENERATORS } from "./gen/index.js";
import "./gen/all.js";
import { randNeonD } from "./gen/neon.js";
import type { GenCtx, InsnGen, StreamIsa, Unit } from "./gen/types.js";
import { MARK, SCRATCH, SCRATCH_SIZE, STREAMS_BASE, STREAMS_LIMIT } from "./layout.js";
import { Rng } from "./rng.js";

/** The kind of a stream: the ISA it runs in, and whether VFP generators/state are used. */
export type StreamKind = "arm" | "thumb" | "vfp" | "thumb_vfp" | "neon" | "thumb_neon";

/** Every stream kind ("vfp"/"thumb_vfp": A32/T32 VFP streams; "neon"/"thumb_neon": Advanced SIMD). */
export const STREAM_KINDS: readonly StreamKind[] = ["arm", "thumb", "vfp", "thumb_vfp", "neon", "thumb_neon"];

export interface GenOptions {
  kind: StreamKind;
  seed: number;
  streams: number;
  /** Units per stream. */
  length: number;
  /** Restrict to these group names (default: all registered for the kind). */
  groups?: string[];
}

export interface UnitInfo {
  addr: number;
  words: number[];
  /** Address of the dump marker after the unit. */
  marker: number;
  group: string;
}

export interface StreamInfo {
  index: number;
  isa: StreamIsa;
  start: number;
  /** Address of the end marker. */
  end: number;
  units: UnitInfo[];
  /** The initial state block (layout.inc INIT_*). */
  init: number[];
}

export interface GeneratedImage {
  kind: StreamKind;
  vfp: boolean;
  source: string;
  streams: StreamInfo[];
  /** Words rejected because our decoder classifies them UNPREDICTABLE, per group. */
  rejected: Record<string, number>;
  generated: Record<string, number>;
}

export function streamIsa(kind: StreamKind): StreamIsa {
  return kind === "thumb" || kind === "thumb_vfp" || kind === "thumb_neon" ? "thumb" : "arm";
}

/** Do the kind's streams use the VFP generators (and records with FPSCR, D0-D31)? */
export function streamVfp(kind: StreamKind): boolean {
  return kind === "vfp" || kind === "thumb_vfp" || streamNeon(kind);
}

/** Are the kind's streams Advanced SIMD ones (VFP state, NEON generators, lane-shaped D registers)? */
export function streamNeon(kind: StreamKind): boolean {
  return kind === "neon" || kind === "thumb_neon";
}

/** Generators usable for a stream kind (optionally only some groups). */
export function generatorsFor(kind: StreamKind, groups?: string[]): InsnGen[] {
  const isa = streamIsa(kind);
  const vfp = streamVfp(kind);
  const neon = streamNeon(kind);
  return GENERATORS.filter(
    (g) =>
      g.isa === isa &&
      !!g.vfp === vfp &&
      !!g.neon === neon &&
      (groups === undefined || groups.includes(g.name)),
  );
}

function a32MovImm32(rd: number, v: number): number[] {
  const movw = (0xe3000000 | (((v >>> 12) & 0xf) << 16) | (rd << 12) | (v & 0xfff)) >>> 0;
  const hi = v >>> 16;
  const movt = (0xe3400000 | (((hi >>> 12) & 0xf) << 16) | (rd << 12) | (hi & 0xfff)) >>> 0;
  return [movw, movt];
}

function t32MovImm32(rd: number, v: number): number[] {
  const enc = (base: number, imm16: number) => {
    const imm4 = (imm16 >>> 12) & 0xf;
    const i = (imm16 >>> 11) & 1;
    const imm3 = (imm16 >>> 8) & 7;
    const imm8 = imm16 & 0xff;
    const hw1 = base | (i << 10) | imm4;
    const hw2 = (imm3 << 12) | (rd << 8) | imm8;
    return ((hw1 << 16) | hw2) >>> 0;
  };
  return [enc(0xf240, v & 0xffff), enc(0xf2c0, v >>> 16)];
}

const isT32 = (w: number) => w >>> 0 > 0xffff;

function unitBytes(isa: StreamIsa, words: number[]): number {
  if (isa === "arm") return words.length * 4;
  let n = 0;
  for (const w of words) n += isT32(w) ? 4 : 2;
  return n;
}

/** Is any word of the unit UNPREDICTABLE according to our decoder? */
function unitUnpred(isa: StreamIsa, words: number[]): boolean {
  let it = 0;
  for (const w of words) {
    let d: ReturnType<typeof decodeWord>;
    if (isa === "arm") d = decodeWord("A32", w);
    else {
      const inIT = it !== 0;
      d = decodeWord(isT32(w) ? "T32" : "T16", w, { inIT, lastInIT: inIT && (it & 7) === 0 });
      if (!isT32(w) && (w & 0xff00) === 0xbf00 && (w & 0xf) !== 0) {
        it = w & 0xff; // IT: firstcond:mask
        if (d === "unpred") return true;
        continue;
      }
      if (inIT) it = (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
    }
    if (d === "unpred") return true;
  }
  return false;
}

function pickWeighted(rng: Rng, gens: InsnGen[], total: number): InsnGen {
  let x = (rng.u32() / 0x100000000) * total;
  for (const g of gens) {
    x -= g.weight;
    if (x < 0) return g;
  }
  return gens[gens.length - 1]!;
}

const hex = (v: number, n = 8) => `0x${(v >>> 0).toString(16).padStart(n, "0")}`;

/** A random double with a good share of special values (as two 32-bit words lo, hi). */
function randDouble(rng: Rng): [number, number] {
  switch (rng.int(10)) {
    case 0:
      return [0, rng.pick([0, 0x80000000])]; // +-0
    case 1:
      return [0, rng.pick([0x7ff00000, 0xfff00000])]; // +-inf
    case 2:
      return [rng.u32(), rng.pick([0x7ff80000, 0x7ff00001, 0xfff80000]) | rng.bits(3)]; // NaNs
    case 3:
      return [rng.u32(), rng.bits(20) | (rng.chance(0.5) ? 0x80000000 : 0)]; // denormal
    case 4: {
      // two singles with specials
      const s = () =>
        rng.pick([0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x00000001, 0x3f800000]);
      return [s() >>> 0, s() >>> 0];
    }
    case 5: {
      // a "normal" double of moderate exponent
      const e = 1023 + rng.range(-40, 40);
      return [rng.u32(), ((rng.chance(0.5) ? 0x80000000 : 0) | (e << 20) | rng.bits(20)) >>> 0];
    }
    default:
      return [rng.u32(), rng.u32()];
  }
}

/** FPSCR bits a stream may start with: NZCV, QC, AHP, DN, FZ, RMode, cumulative flags. */
const FPSCR_MASK = 0xf7c0009f;
/** FPSCR.QC (Advanced SIMD saturation), random in "neon"/"thumb_neon" streams. */
const FPSCR_QC = 0x08000000;

export function generateImage(opts: GenOptions): GeneratedImage {
  const rng = new Rng(opts.seed);
  const isa = streamIsa(opts.kind);
  const vfp = streamVfp(opts.kind);
  const neon = streamNeon(opts.kind);
  const gens = generatorsFor(opts.kind, opts.groups);
  if (gens.length === 0)
    throw new Error(
      `no generators for ${opts.kind} streams${opts.groups ? ` in groups ${opts.groups}` : ""}`,
    );
  const total = gens.reduce((s, g) => s + g.weight, 0);
  const ctx: GenCtx = {
    isa,
    scratchBase: SCRATCH,
    scratchSize: SCRATCH_SIZE,
    movImm32: isa === "arm" ? a32MovImm32 : t32MovImm32,
  };
  const marker = isa === "arm" ? MARK.A32 : MARK.T16;
  const endMarker = isa === "arm" ? MARK.A32_END : MARK.T16_END;
  const markerBytes = isa === "arm" ? 4 : 2;
  const rejected: Record<string, number> = {};
  const generated: Record<string, number> = {};

  const code: string[] = [
    `    .section .streams, "ax"`,
    isa === "arm" ? "    .arm" : "    .thumb",
    "    .syntax unified",
  ];
  const data: string[] = [
    `    .section .streamdata, "aw"`,
    "    .global stream_count, stream_table",
    ...(vfp ? ["    .global dump_vfp_enable", "    .set dump_vfp_enable, 1"] : []),
    "    .balign 4",
    `stream_count: .word ${opts.streams}`,
    "stream_table:",
  ];
  const inits: string[] = [];
  const streams: StreamInfo[] = [];
  let addr = STREAMS_BASE;

  for (let s = 0; s < opts.streams; s++) {
    // units
    const units: { u: Unit; group: string }[] = [];
    while (units.length < opts.length) {
      const g = pickWeighted(rng, gens, total);
      const r = g.gen(rng, ctx);
      const u: Unit =
        typeof r === "number"
          ? { words: [r >>> 0] }
          : Array.isArray(r)
            ? { words: r.map((w) => w >>> 0) }
            : r;
      if (!u.branch && unitUnpred(isa, u.words)) {
        rejected[g.name] = (rejected[g.name] ?? 0) + 1;
        continue;
      }
      generated[g.name] = (generated[g.name] ?? 0) + 1;
      units.push({ u, group: g.name });
    }
    // layout
    if (addr & 3) addr += 2;
    const start = addr;
    const infos: UnitInfo[] = [];
    for (const { u, group } of units) {
      const n = unitBytes(isa, u.words);
      infos.push({ addr, words: u.words, marker: addr + n, group });
      addr += n + markerBytes;
    }
    const end = addr;
    addr += markerBytes;
    if (addr >= STREAMS_LIMIT) throw new Error("too many stream instructions for one image");
    // branch fix-ups (targets: the start of a later unit, or the end marker)
    for (let k = 0; k < units.length; k++) {
      const b = units[k]!.u.branch;
      if (!b) continue;
      const info = infos[k]!;
      const t = k + 1 + b.skip;
      const target = t < infos.length ? infos[t]!.addr : end;
      const words = info.words.slice();
      const last = words.length - 1;
      const baddr = info.addr + unitBytes(isa, words.slice(0, last));
      words[last] = b.encode(target - baddr) >>> 0;
      info.words = words;
      if (unitUnpred(isa, words))
        throw new Error(`generator ${units[k]!.group}: branch encodes as UNPREDICTABLE`);
    }
    // code
    code.push("    .balign 4", `s${s}:`);
    for (const info of infos) {
      for (const w of info.words) {
        if (isa === "arm") code.push(`    .inst ${hex(w)}`);
        else code.push(isT32(w) ? `    .inst.w ${hex(w)}` : `    .inst.n ${hex(w, 4)}`);
      }
      code.push(isa === "arm" ? `    .inst ${hex(marker)}` : `    .inst.n ${hex(marker, 4)}`);
    }
    code.push(
      `s${s}_end:`,
      isa === "arm" ? `    .inst ${hex(endMarker)}` : `    .inst.n ${hex(endMarker, 4)}`,
    );

    // initial state
    const w: number[] = [];
    for (let r = 0; r < 15; r++) w.push(rng.interesting32());
    const nzcvq = rng.bits(5) << 27;
    const ge = rng.bits(4) << 16;
    w.push((nzcvq | ge | 0x1c0 | 0x1f | (isa === "thumb" ? 0x20 : 0)) >>> 0);
    w.push(vfp ? (rng.u32() & (neon ? FPSCR_MASK | FPSCR_QC : FPSCR_MASK)) >>> 0 : 0, 0);
    for (let d = 0; d < 32; d++) w.push(...(neon ? randNeonD(rng) : vfp ? randDouble(rng) : [0, 0]));
    for (let i = 0; i < SCRATCH_SIZE / 4; i++) w.push(rng.chance(0.2) ? rng.interesting32() : rng.u32());
    streams.push({ index: s, isa, start, end, units: infos, init: w });
    data.push(`    .word s${s}, s${s}_end + ${markerBytes}, init${s}`);
    inits.push(`init${s}:`);
    for (let i = 0; i < w.length; i += 8)
      inits.push(
        `    .word ${w
          .slice(i, i + 8)
          .map((x) => hex(x))
          .join(", ")}`,
      );
  }
  data.push(...inits);
  return {
    kind: opts.kind,
    vfp,
    source: `${code.join("\n")}\n${data.join("\n")}\n`,
    streams,
    rejected,
    generated,
  };
}
