// Flattened device tree (DTB) writer and reader, after the Devicetree Specification
// v0.4, chapter 5: a 40-byte header, the memory reservation map (pairs of 64-bit
// address/size ending with 0/0), the structure block (FDT_BEGIN_NODE / FDT_PROP /
// FDT_END_NODE ... FDT_END tokens, big-endian, 4-byte aligned) and the strings block
// (property names, NUL-terminated, shared). The tree is built in memory as FdtNode
// objects and serialised with encodeFdt(); decodeFdt() reads a blob back into the same
// model (used by `boot --dtb FILE` to patch /chosen, and by the tests).

export const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;
const HEADER_SIZE = 40;
const VERSION = 17;
const LAST_COMP_VERSION = 16;

export class FdtError extends Error {}

export interface FdtProp {
  name: string;
  value: Uint8Array;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** Big-endian 32-bit cells. */
export function cells(...v: number[]): Uint8Array {
  const b = new Uint8Array(v.length * 4);
  const dv = new DataView(b.buffer);
  v.forEach((x, i) => {
    dv.setUint32(i * 4, x >>> 0);
  });
  return b;
}

/** NUL-terminated strings, concatenated (a string or a string list). */
export function strings(...s: string[]): Uint8Array {
  return utf8.encode(s.map((x) => `${x}\0`).join(""));
}

export class FdtNode {
  readonly props: FdtProp[] = [];
  readonly children: FdtNode[] = [];
  constructor(readonly name: string) {}

  /** Set (or replace) a property with raw bytes. */
  set(name: string, value: Uint8Array): this {
    const p = this.props.find((q) => q.name === name);
    if (p) p.value = value;
    else this.props.push({ name, value });
    return this;
  }
  /** A property of 32-bit cells (u32, <a b c>, phandles, reg with #cells = 1 or 2). */
  u32(name: string, ...v: number[]): this {
    return this.set(name, cells(...v));
  }
  /** A 64-bit value as two cells. */
  u64(name: string, v: number): this {
    return this.set(name, cells(Math.floor(v / 2 ** 32), v >>> 0));
  }
  str(name: string, s: string): this {
    return this.set(name, strings(s));
  }
  strList(name: string, ...s: string[]): this {
    return this.set(name, strings(...s));
  }
  /** A property with no value (a boolean: `interrupt-controller;`). */
  flag(name: string): this {
    return this.set(name, new Uint8Array(0));
  }
  get(name: string): Uint8Array | undefined {
    return this.props.find((p) => p.name === name)?.value;
  }
  getU32(name: string, i = 0): number | undefined {
    const v = this.get(name);
    if (!v || v.length < (i + 1) * 4) return undefined;
    return new DataView(v.buffer, v.byteOffset, v.byteLength).getUint32(i * 4);
  }
  getStrings(name: string): string[] | undefined {
    const v = this.get(name);
    if (!v) return undefined;
    const s = utf8d.decode(v);
    return (s.endsWith("\0") ? s.slice(0, -1) : s).split("\0");
  }
  remove(name: string): void {
    const i = this.props.findIndex((p) => p.name === name);
    if (i >= 0) this.props.splice(i, 1);
  }
  /** The child with this name (unit address included), created if absent. */
  child(name: string): FdtNode {
    let c = this.children.find((n) => n.name === name);
    if (!c) {
      c = new FdtNode(name);
      this.children.push(c);
    }
    return c;
  }
  /** Remove the children that match. */
  removeChildren(match: (n: FdtNode) => boolean): void {
    for (let i = this.children.length - 1; i >= 0; i--)
      if (match(this.children[i]!)) this.children.splice(i, 1);
  }
  /** Find a node by path ("/chosen", "/cpus/cpu@0"). */
  find(path: string): FdtNode | undefined {
    let n: FdtNode | undefined = this;
    for (const part of path.split("/").filter((p) => p)) {
      n = n.children.find((c) => c.name === part);
      if (!n) return undefined;
    }
    return n;
  }
}

export interface FdtBlob {
  root: FdtNode;
  /** Memory reservation map entries (address, size). */
  memReserve: [number, number][];
  bootCpuId: number;
}

export interface EncodeOptions {
  memReserve?: [number, number][];
  bootCpuId?: number;
  /** Pad the blob (free space at the end) to at least this total size. */
  minSize?: number;
}

export function encodeFdt(root: FdtNode, opts: EncodeOptions = {}): Uint8Array {
  const strTab: number[] = [];
  const strOff = new Map<string, number>();
  const nameOff = (s: string): number => {
    let o = strOff.get(s);
    if (o === undefined) {
      o = strTab.length;
      strOff.set(s, o);
      for (const b of utf8.encode(s)) strTab.push(b);
      strTab.push(0);
    }
    return o;
  };
  const st: number[] = [];
  const word = (w: number) => st.push((w >>> 24) & 0xff, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff);
  const bytes = (b: Uint8Array) => {
    for (const x of b) st.push(x);
    while (st.length & 3) st.push(0);
  };
  const emit = (n: FdtNode) => {
    word(FDT_BEGIN_NODE);
    bytes(utf8.encode(`${n.name}\0`));
    for (const p of n.props) {
      word(FDT_PROP);
      word(p.value.length);
      word(nameOff(p.name));
      bytes(p.value);
    }
    for (const c of n.children) emit(c);
    word(FDT_END_NODE);
  };
  if (root.name !== "") throw new FdtError("the root node's name must be empty");
  emit(root);
  word(FDT_END);

  const rsv = [...(opts.memReserve ?? []), [0, 0] as [number, number]];
  const offRsv = HEADER_SIZE; // 8-byte aligned
  const offStruct = offRsv + rsv.length * 16;
  const offStrings = offStruct + st.length;
  const used = offStrings + strTab.length;
  const total = Math.max((used + 7) & ~7, opts.minSize ?? 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const hdr = [
    FDT_MAGIC,
    total,
    offStruct,
    offStrings,
    offRsv,
    VERSION,
    LAST_COMP_VERSION,
    opts.bootCpuId ?? 0,
    strTab.length,
    st.length,
  ];
  hdr.forEach((v, i) => {
    dv.setUint32(i * 4, v >>> 0);
  });
  rsv.forEach(([a, s], i) => {
    dv.setUint32(offRsv + i * 16, Math.floor(a / 2 ** 32));
    dv.setUint32(offRsv + i * 16 + 4, a >>> 0);
    dv.setUint32(offRsv + i * 16 + 8, Math.floor(s / 2 ** 32));
    dv.setUint32(offRsv + i * 16 + 12, s >>> 0);
  });
  out.set(st, offStruct);
  out.set(strTab, offStrings);
  return out;
}

export function decodeFdt(blob: Uint8Array): FdtBlob {
  if (blob.length < HEADER_SIZE) throw new FdtError("device tree blob too small");
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const h = (i: number) => dv.getUint32(i * 4);
  if (h(0) !== FDT_MAGIC) throw new FdtError("bad device tree magic (not a DTB)");
  const total = h(1);
  const offStruct = h(2);
  const offStrings = h(3);
  const offRsv = h(4);
  const version = h(5);
  if (total > blob.length) throw new FdtError("device tree blob truncated");
  if (version < LAST_COMP_VERSION) throw new FdtError(`device tree version ${version} is too old`);
  const sizeStruct = version >= 17 ? h(9) : total - offStruct;
  const structEnd = offStruct + sizeStruct;
  if (offStruct > total || structEnd > total || offStrings > total || offRsv > total)
    throw new FdtError("device tree header offsets out of range");

  const memReserve: [number, number][] = [];
  for (let o = offRsv; ; o += 16) {
    if (o + 16 > total) throw new FdtError("unterminated memory reservation map");
    const a = dv.getUint32(o) * 2 ** 32 + dv.getUint32(o + 4);
    const s = dv.getUint32(o + 8) * 2 ** 32 + dv.getUint32(o + 12);
    if (a === 0 && s === 0) break;
    memReserve.push([a, s]);
  }
  const cstr = (o: number, limit: number): [string, number] => {
    let e = o;
    while (e < limit && blob[e] !== 0) e++;
    if (e >= limit) throw new FdtError("unterminated string in device tree");
    return [utf8d.decode(blob.subarray(o, e)), e + 1];
  };
  let p = offStruct;
  const next = (): number => {
    if (p + 4 > structEnd) throw new FdtError("device tree structure block truncated");
    const t = dv.getUint32(p);
    p += 4;
    return t;
  };
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  for (;;) {
    const t = next();
    if (t === FDT_BEGIN_NODE) {
      const [name, e] = cstr(p, structEnd);
      p = (e + 3) & ~3;
      const n = new FdtNode(name);
      if (stack.length) stack[stack.length - 1]!.children.push(n);
      else if (root) throw new FdtError("device tree has more than one root node");
      else root = n;
      stack.push(n);
    } else if (t === FDT_PROP) {
      const len = next();
      const no = next();
      if (!stack.length) throw new FdtError("property outside a node");
      if (p + len > structEnd) throw new FdtError("property value truncated");
      const [name] = cstr(offStrings + no, total);
      stack[stack.length - 1]!.props.push({ name, value: blob.slice(p, p + len) });
      p = (p + len + 3) & ~3;
    } else if (t === FDT_END_NODE) {
      if (!stack.pop()) throw new FdtError("unbalanced FDT_END_NODE");
    } else if (t === FDT_NOP) {
      // skip
    } else if (t === FDT_END) {
      break;
    } else throw new FdtError(`bad structure token 0x${t.toString(16)}`);
  }
  if (!root || stack.length) throw new FdtError("device tree structure block is not well formed");
  return { root, memReserve, bootCpuId: h(7) };
}
