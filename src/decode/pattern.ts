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
    letters: [...letters].map(([name, bits]) => ({ name, bits })),
    decode,
  };
  const list = ENCODINGS[isa];
  // keep most specific first; stable among equals (registration order breaks ties)
  let i = list.length;
  while (i > 0 && list[i - 1]!.fixedBits < fixedBits) i--;
  list.splice(i, 0, e);
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

/** Decode one instruction word; "undef" for UNDEFINED (and UNPREDICTABLE, which we treat as UNDEFINED). */
export function decodeWord(isa: Isa, raw: number, ctx: DecodeCtx = NO_IT): DecodedOp | "undef" | "unpred" {
  raw >>>= 0;
  for (const e of ENCODINGS[isa]) {
    if ((raw & e.mask) >>> 0 !== e.value) continue;
    const x = extract(e, raw);
    if (isa === "A32" && x.c === 15 && e.pattern.startsWith("cccc")) continue;
    const r = e.decode(x, raw, ctx);
    if (r === null) continue;
    if (r === "undef" || r === "unpred") return r;
    const fields = r.def.fields.map((n) => {
      const v = r.f?.[n];
      if (v === undefined) throw new Error(`${r.def.name}: field ${n} not set by ${e.pattern}`);
      return v | 0;
    });
    const cond = r.cond ?? (isa === "A32" && e.pattern.startsWith("cccc") ? x.c! : 14);
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
