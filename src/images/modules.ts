// The kernel modules that exercise Advanced SIMD (NEON): Debian's armmp-lpae kernel
// builds its NEON crypto and xor code as modules; loading them runs the kernel's own
// checks (the crypto manager's test vectors for every algorithm a module registers, xor's
// measurement of its NEON and integer routines). (raid6_pq is left out: its benchmark
// runs each routine for a fixed stretch of guest time, minutes of host time here.) They are picked from
// the kernel package at fetch time with their dependencies and put into a second
// initramfs, `initramfs-neon`, with a script that loads them (initramfs.ts).

/** The modules to load (by module name); their dependencies are added at fetch time. */
export const NEON_MODULES = [
  "aes_arm_bs",
  "blake2b_neon",
  "chacha_neon",
  "curve25519_neon",
  "nhpoly1305_neon",
  "poly1305_arm",
  "sha1_arm_neon",
  "sha256_arm",
  "sha512_arm",
  "xor",
] as const;

/** The (meta) package whose kernel's modules are picked. */
export const MODULES_FROM = "linux-image-armmp-lpae";

/** Where the modules live in the kernel package, below lib/modules/<kver>/kernel. */
export const MODULE_TREES = ["arch/arm", "crypto", "lib"];

/** The cache directory holding the picked modules (<name>.ko) and their load order. */
export const MODULES_DIR = "modules-armmp-lpae";
export const LOAD_ORDER_FILE = "load-order";

export interface ModInfo {
  /** The module's name ("name=" in .modinfo; dashes become underscores as the kernel does). */
  name: string;
  depends: string[];
}

const normal = (n: string) => n.replaceAll("-", "_");

/**
 * The name and dependencies of a kernel module: the .modinfo section of its ELF file, a
 * list of NUL-terminated "key=value" strings. null when the file is not a 32-bit
 * little-endian ELF with that section.
 */
export function modInfo(elf: Uint8Array): ModInfo | null {
  if (elf.length < 52 || elf[0] !== 0x7f || elf[1] !== 0x45 || elf[4] !== 1 || elf[5] !== 1) return null;
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const shoff = dv.getUint32(0x20, true);
  const shentsize = dv.getUint16(0x2e, true);
  const shnum = dv.getUint16(0x30, true);
  const shstrndx = dv.getUint16(0x32, true);
  if (shentsize < 40 || shoff + shnum * shentsize > elf.length || shstrndx >= shnum) return null;
  const sect = (i: number) => {
    const o = shoff + i * shentsize;
    return { name: dv.getUint32(o, true), off: dv.getUint32(o + 16, true), size: dv.getUint32(o + 20, true) };
  };
  const strtab = sect(shstrndx);
  const cstr = (off: number) => {
    let e = off;
    while (e < elf.length && elf[e] !== 0) e++;
    return Buffer.from(elf.subarray(off, e)).toString("latin1");
  };
  for (let i = 0; i < shnum; i++) {
    const s = sect(i);
    if (cstr(strtab.off + s.name) !== ".modinfo" || s.off + s.size > elf.length) continue;
    const fields = Buffer.from(elf.subarray(s.off, s.off + s.size))
      .toString("latin1")
      .split("\0");
    const get = (k: string) => fields.find((f) => f.startsWith(`${k}=`))?.slice(k.length + 1);
    const name = get("name");
    if (!name) return null;
    const depends = (get("depends") ?? "").split(",").filter(Boolean).map(normal);
    return { name: normal(name), depends };
  }
  return null;
}

/**
 * The load order for `wanted`: every module after the modules it depends on. Throws
 * with the missing module's name when a module or a dependency is not in `known`.
 */
export function loadOrder(known: ReadonlyMap<string, ModInfo>, wanted: readonly string[]): string[] {
  const order: string[] = [];
  const visit = (n: string, from: string | null, path: string[]) => {
    if (order.includes(n)) return;
    if (path.includes(n)) throw new Error(`module dependency cycle: ${[...path, n].join(" -> ")}`);
    const m = known.get(n);
    if (!m) throw new Error(`kernel module ${n}${from ? ` (needed by ${from})` : ""} is not in the package`);
    for (const d of m.depends) visit(d, n, [...path, n]);
    order.push(n);
  };
  for (const w of wanted) visit(normal(w), null, []);
  return order;
}
