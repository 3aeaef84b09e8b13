// Bit-pattern decoding tables. A pattern is a string of '0', '1' and letters, most
// significant bit first (32 chars for A32 and 32-bit Thumb as hw1:hw2, 16 for 16-bit
// Thumb; spaces and underscores are ignored). Each letter names a field whose bits
// are gathered in order. Patterns are matched most-specific first, as in dynarmic.

import type { Isa } from "../sem/defs.js";
import { type InsnDef, opcodeOf } from "../sem/defs.js";

export type Letters = Record<string, number>;

/** What a decoder entry makes of an instruction word. */
export interface Decoded {
  def: InsnDef;
  p?: Record<string, number>;
  /** Field values in the order of def.fields. */
  f?: Record<string, number>;
  /** Overrides the condition (Thumb, unconditional space). */
  cond?: number;
  /** Thumb: executes even inside an IT block whose condition fails (BKPT). */
  uncond?: boolean;
  /** The instruction always or possibly writes the PC: end the block after it. */
  ends?: boolean;
  /**
   * Fields that hold an offset from the instruction's address; the block builder adds
   * the address (so a PC-relative target or literal address becomes a constant).
   */
  rel?: string[];
}

/** null: not this encoding after all, keep looking; "undef": UNDEFINED; "unpred": UNPREDICTABLE. */
export type DecodeResult = Decoded | null | "undef" | "unpred";

/** Decode context for Thumb: IT block position (16-bit forms set flags only outside IT). */
export interface DecodeCtx {
  inIT: boolean;
  lastInIT: boolean;
}

const NO_IT: DecodeCtx = { inIT: false, lastInIT: false };

export interface Encoding {
  isa: Isa;
  pattern: string;
  mask: number;
  value: number;
  fixedBits: number;
  /** A32 pattern with a condition field (cond 15 is the unconditional space, not this). */
  condField: boolean;
  letters: { name: string; bits: number[] }[];
  decode: (x: Letters, raw: number, ctx: DecodeCtx) => DecodeResult;
}

export const ENCODINGS: Record<Isa, Encoding[]> = { A32: [], T16: [], T32: [] };

export function enc(
  isa: Isa,
  pattern: string,
  decode: (x: Letters, raw: number, ctx: DecodeCtx) => DecodeResult,
): void {
  const pat = pattern.replace(/[\s_]/g, "");
  const width = isa === "T16" ? 16 : 32;
  if (pat.length !== width) throw new Error(`pattern ${pattern}: ${pat.length} bits, want ${width}`);
  let mask = 0;
  let value = 0;
  const letters = new Map<string, number[]>();
  for (let i = 0; i < width; i++) {
    const ch = pat[i]!;
    const bit = width - 1 - i;
    if (ch === "0" || ch === "1") {
      mask |= 1 << bit;
      if (ch === "1") value |= 1 << bit;
    } else {
      const l = letters.get(ch);
      if (l) l.push(bit);
      else letters.set(ch, [bit]);
    }
  }
  let fixedBits = 0;
  for (let m = mask >>> 0; m; m &= m - 1) fixedBits++;
  const e: Encoding = {
    isa,
    pattern: pat,
    mask: mask >>> 0,
    value: value >>> 0,
    fixedBits,
    condField: isa === "A32" && pat.startsWith("cccc"),
    letters: [...letters].map(([name, bits]) => ({ name, bits })),
    decode,
  };
  const list = ENCODINGS[isa];
  // keep most specific first; stable among equals (registration order breaks ties)
  let i = list.length;
  while (i > 0 && list[i - 1]!.fixedBits < fixedBits) i--;
  list.splice(i, 0, e);
  BUCKETS[isa].length = 0;
}

/**
 * Candidate encodings by a few key bits of the word (A32: bits 27-20 and 7-4; T32: the
 * first halfword's bits 15-4; T16: bits 15-6), in ENCODINGS order: the encodings whose
 * fixed bits agree with the key. Built per key on first use; decoding scans only these.
 */
const BUCKET_BITS: Record<Isa, { mask: number; key: (raw: number) => number; raw: (key: number) => number }> =
  {
    A32: {
      mask: 0x0ff000f0,
      key: (w) => ((w >>> 16) & 0xff0) | ((w >>> 4) & 0xf),
      raw: (k) => ((k & 0xff0) << 16) | ((k & 0xf) << 4),
    },
    T32: { mask: 0xfff00000 | 0, key: (w) => w >>> 20, raw: (k) => k << 20 },
    T16: { mask: 0xffc0, key: (w) => w >>> 6, raw: (k) => k << 6 },
  };
const BUCKETS: Record<Isa, (Encoding[] | undefined)[]> = { A32: [], T16: [], T32: [] };

export function candidates(isa: Isa, raw: number): Encoding[] {
  const spec = BUCKET_BITS[isa];
  const k = spec.key(raw);
  let list = BUCKETS[isa][k];
  if (list === undefined) {
    const kr = spec.raw(k);
    list = ENCODINGS[isa].filter((e) => ((kr ^ e.value) & e.mask & spec.mask) === 0);
    BUCKETS[isa][k] = list;
  }
  return list;
}

function extract(e: Encoding, raw: number): Letters {
  const x: Letters = {};
  for (const { name, bits } of e.letters) {
    let v = 0;
    for (const b of bits) v = (v << 1) | ((raw >>> b) & 1);
    x[name] = v >>> 0;
  }
  return x;
}

export interface DecodedOp {
  opcode: number;
  def: InsnDef;
  fields: number[];
  cond: number;
  /** Unconditional even inside an IT block: `cond` applies, not the IT condition (BKPT). */
  uncond: boolean;
  ends: boolean;
  /** Indexes of fields relative to the instruction address. */
  rel: number[];
}

type WordResult = DecodedOp | "undef" | "unpred";

/**
 * Decoded words by ISA and IT position (Thumb decoding depends on it), direct-mapped:
 * code repeats its instruction words, and blocks are decoded again after invalidation.
 * The results are shared, never modified. (Not a Map: most A32 words are above 2^31,
 * which V8 keeps as heap numbers, and a Map look-up of one took ~400 ns.)
 */
const MEMO_BITS = 19;
const memoWord = new Int32Array(1 << MEMO_BITS);
const memoSet = new Uint8Array(1 << MEMO_BITS);
const memoResult: (WordResult | undefined)[] = new Array(1 << MEMO_BITS).fill(undefined);

/** Decode one instruction word; "undef" for UNDEFINED (and UNPREDICTABLE, which we treat as UNDEFINED). */
export function decodeWord(isa: Isa, raw: number, ctx: DecodeCtx = NO_IT): WordResult {
  const w = raw | 0;
  // set: A32 0; T16 1-3, T32 4-6 (outside an IT block, inside, last in it)
  const set = isa === "A32" ? 0 : (isa === "T16" ? 1 : 4) + (ctx.inIT ? (ctx.lastInIT ? 2 : 1) : 0);
  const i = Math.imul(w ^ (set << 29), 0x9e3779b1) >>> (32 - MEMO_BITS);
  let r = memoResult[i];
  if (r === undefined || memoWord[i] !== w || memoSet[i] !== set) {
    r = decodeUncached(isa, raw >>> 0, ctx);
    memoWord[i] = w;
    memoSet[i] = set;
    memoResult[i] = r;
  }
  return r;
}

/** The decoder itself, without the memo (decodeWord; the micro benchmark measures this). */
export function decodeUncached(isa: Isa, raw: number, ctx: DecodeCtx = NO_IT): WordResult {
  for (const e of candidates(isa, raw)) {
    if ((raw & e.mask) >>> 0 !== e.value) continue;
    const x = extract(e, raw);
    if (e.condField && x.c === 15) continue;
    const r = e.decode(x, raw, ctx);
    if (r === null) continue;
    if (r === "undef" || r === "unpred") return r;
    const fields = r.def.fields.map((n) => {
      const v = r.f?.[n];
      if (v === undefined) throw new Error(`${r.def.name}: field ${n} not set by ${e.pattern}`);
      return v | 0;
    });
    const cond = r.cond ?? (e.condField ? x.c! : 14);
    const rel = (r.rel ?? []).map((n) => r.def.fields.indexOf(n));
    return {
      opcode: opcodeOf(r.def, r.p ?? {}),
      def: r.def,
      fields,
      cond,
      uncond: r.uncond ?? false,
      ends: r.ends ?? false,
      rel,
    };
  }
  return "undef";
}
