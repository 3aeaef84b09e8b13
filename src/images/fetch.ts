// The guest image cache: Debian 12 armhf kernels, busybox and Xen, fetched with the
// host's apt (no installation: `apt-get download` + extraction of the files we need),
// plus the busybox initramfs built from them.
//
// Cache layout (stable names, so the files can also be put there by hand):
//   vmlinuz-armmp-lpae  config-armmp-lpae   linux-image-armmp-lpae's current kernel
//   vmlinuz-armmp       config-armmp        linux-image-armmp's current kernel
//   busybox                                 busybox-static's /bin/busybox
//   xen-4.17-armhf                          xen-hypervisor-4.17-armhf's /boot/xen-4.17-armhf
//   modules-armmp-lpae/<name>.ko, load-order  the NEON modules of the lpae kernel (modules.ts)
//   initramfs.cpio.gz                       built by hypwasm from busybox
//   initramfs-neon.cpio.gz                  the same plus the NEON modules and neon-selftest
//   manifest.json, VERSIONS.txt             package versions and sha256 of each file

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzip } from "./cpio.js";
import { buildInitramfsCpio, neonInitramfsFiles } from "./initramfs.js";
import {
  LOAD_ORDER_FILE,
  loadOrder,
  MODULE_TREES,
  MODULES_DIR,
  MODULES_FROM,
  type ModInfo,
  modInfo,
  NEON_MODULES,
} from "./modules.js";

/** A failure with a one-line, user-facing explanation. */
export class FetchError extends Error {}

type Check = "zimage" | "arm-elf" | "text";

interface Fetched {
  /** Short name for `hypwasm images path`. */
  name: string;
  /** File name in the cache. */
  file: string;
  /** Meta/real package name (before kernel resolution). */
  pkg: string;
  /** Path inside the package; "{kver}" is the resolved kernel version. */
  member: string;
  check: Check;
  description: string;
}

export const FETCHED: readonly Fetched[] = [
  {
    name: "lpae",
    file: "vmlinuz-armmp-lpae",
    pkg: "linux-image-armmp-lpae",
    member: "boot/vmlinuz-{kver}",
    check: "zimage",
    description: "Linux zImage, armmp-lpae flavour (Cortex-A15, LPAE)",
  },
  {
    name: "config-lpae",
    file: "config-armmp-lpae",
    pkg: "linux-image-armmp-lpae",
    member: "boot/config-{kver}",
    check: "text",
    description: "its kernel .config",
  },
  {
    name: "armmp",
    file: "vmlinuz-armmp",
    pkg: "linux-image-armmp",
    member: "boot/vmlinuz-{kver}",
    check: "zimage",
    description: "Linux zImage, armmp flavour (short descriptors)",
  },
  {
    name: "config-armmp",
    file: "config-armmp",
    pkg: "linux-image-armmp",
    member: "boot/config-{kver}",
    check: "text",
    description: "its kernel .config",
  },
  {
    name: "busybox",
    file: "busybox",
    pkg: "busybox-static",
    member: "bin/busybox",
    check: "arm-elf",
    description: "static busybox (ARM EABI ELF)",
  },
  {
    name: "xen",
    file: "xen-4.17-armhf",
    pkg: "xen-hypervisor-4.17-armhf",
    member: "boot/xen-4.17-armhf",
    check: "zimage",
    description: "Xen 4.17 hypervisor (zImage format)",
  },
];

export const INITRAMFS_FILE = "initramfs.cpio.gz";
export const NEON_INITRAMFS_FILE = "initramfs-neon.cpio.gz";
export const IMAGE_NAMES = [...FETCHED.map((f) => f.name), "initramfs", "initramfs-neon"];
const META_KERNELS = ["linux-image-armmp-lpae", "linux-image-armmp"];

export function defaultCacheDir(): string {
  return resolve(process.env.HYPWASM_CACHE || join(homedir(), ".cache", "hypwasm", "images"));
}

export interface Manifest {
  source: "apt" | "manual";
  fetched: string;
  packages: { package: string; version: string; kernel?: string }[];
  files: Record<string, { file: string; from?: string; size: number; sha256: string }>;
}

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** Checks that `data` looks like the kind of file we expect; returns a problem or null. */
export function checkImage(data: Uint8Array, kind: Check): string | null {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (kind === "zimage") {
    if (data.length < 0x30 || dv.getUint32(0x24, true) !== 0x016f2818)
      return "not a zImage (no magic 0x016f2818 at offset 0x24)";
  } else if (kind === "arm-elf") {
    if (data.length < 0x34 || dv.getUint32(0, false) !== 0x7f454c46) return "not an ELF file";
    if (data[4] !== 1 || data[5] !== 1 || dv.getUint16(0x12, true) !== 40)
      return "not a 32-bit little-endian ARM ELF file";
  } else if (data.length === 0) return "empty file";
  return null;
}

function readManifest(cache: string): Manifest | null {
  try {
    return JSON.parse(readFileSync(join(cache, "manifest.json"), "utf8")) as Manifest;
  } catch {
    return null;
  }
}

function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function writeManifest(cache: string, m: Manifest): void {
  writeAtomic(join(cache, "manifest.json"), `${JSON.stringify(m, null, 2)}\n`);
  const lines = [`# hypwasm guest images (${m.source}, ${m.fetched})`];
  for (const p of m.packages) lines.push(`${p.package} ${p.version}${p.kernel ? ` (${p.kernel})` : ""}`);
  for (const [, f] of Object.entries(m.files))
    lines.push(`${f.sha256}  ${f.file}  ${f.size}${f.from ? `  <- ${f.from}` : ""}`);
  writeAtomic(join(cache, "VERSIONS.txt"), `${lines.join("\n")}\n`);
}

function manualHint(cache: string): string {
  return `or put ${FETCHED.map((f) => f.file).join(", ")} (from Debian 12 armhf packages) into ${cache} by hand`;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  missing: boolean;
}

function run(cmd: string, args: string[], cwd?: string): Run {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", missing };
}

const lastLine = (s: string): string =>
  s
    .trim()
    .split("\n")
    .filter((l) => l.trim())
    .pop() ?? "";

const isRoot = (): boolean => process.getuid?.() === 0;

export interface FetchOptions {
  cache?: string;
  force?: boolean;
  log?: (line: string) => void;
}

export interface FetchResult {
  cache: string;
  /** True when packages were downloaded. */
  downloaded: boolean;
  /** True when the initramfs was (re)written. */
  builtInitramfs: boolean;
  manifest: Manifest;
}

/** Makes sure apt can download armhf packages; throws FetchError with what to run otherwise. */
function ensureApt(cache: string, log: (l: string) => void): void {
  for (const tool of ["dpkg", "dpkg-deb", "apt-get", "apt-cache", "tar"]) {
    const r = run(tool, ["--version"]);
    if (r.missing)
      throw new FetchError(
        `'${tool}' not found: run 'hypwasm images fetch' on Debian/Ubuntu (apt with armhf enabled), ${manualHint(cache)}`,
      );
  }
  const arches = run("dpkg", ["--print-foreign-architectures"]).stdout.split(/\s+/);
  if (!arches.includes("armhf")) {
    if (!isRoot())
      throw new FetchError(
        "apt has no armhf architecture: run 'sudo dpkg --add-architecture armhf && sudo apt-get update' first",
      );
    log("adding the armhf architecture (dpkg --add-architecture armhf; apt-get update)");
    const a = run("dpkg", ["--add-architecture", "armhf"]);
    if (a.status !== 0) throw new FetchError(`dpkg --add-architecture armhf failed: ${lastLine(a.stderr)}`);
    aptUpdate(log);
  }
}

function aptUpdate(log: (l: string) => void): void {
  log("apt-get update");
  const u = run("apt-get", ["update"]);
  // A mirror in the middle of a sync can fail one index; resolution below says if it matters.
  if (u.status !== 0) log(`apt-get update reported errors: ${lastLine(u.stderr)}`);
}

/** linux-image-armmp-lpae -> linux-image-6.1.0-NN-armmp-lpae (the meta package's dependency). */
function resolveKernel(meta: string): string | null {
  const r = run("apt-cache", ["depends", `${meta}:armhf`]);
  if (r.status !== 0) return null;
  const m = /Depends:\s*(linux-image-\d\S*?)(?::armhf)?\s*$/m.exec(r.stdout);
  return m ? m[1] : null;
}

function resolveKernels(log: (l: string) => void): Map<string, string> {
  const attempt = () => {
    const out = new Map<string, string>();
    for (const meta of META_KERNELS) {
      const k = resolveKernel(meta);
      if (!k) return null;
      out.set(meta, k);
    }
    return out;
  };
  let k = attempt();
  if (!k && isRoot()) {
    aptUpdate(log);
    k = attempt();
  }
  if (!k)
    throw new FetchError(
      `apt knows no ${META_KERNELS[0]}:armhf package: run 'sudo apt-get update' (with the armhf architecture and Debian 12 'bookworm' main in sources) first`,
    );
  return k;
}

const hasModules = (cache: string) =>
  existsSync(join(cache, MODULES_DIR, LOAD_ORDER_FILE)) &&
  NEON_MODULES.every((m) => existsSync(join(cache, MODULES_DIR, `${m}.ko`)));

/**
 * Is everything there? The NEON modules are required of a cache that apt filled (an older
 * hypwasm's cache gets them by a new download), not of files placed by hand.
 */
function present(cache: string, manifest: Manifest | null): boolean {
  return (
    FETCHED.every((f) => existsSync(join(cache, f.file))) && (hasModules(cache) || manifest?.source !== "apt")
  );
}

function manualManifest(cache: string): Manifest {
  const files: Manifest["files"] = {};
  for (const f of FETCHED) {
    const data = readFileSync(join(cache, f.file));
    files[f.name] = { file: f.file, size: data.length, sha256: sha256(data) };
  }
  return { source: "manual", fetched: new Date().toISOString(), packages: [], files };
}

/**
 * The NEON modules in the cache that NEON_MODULES need, in load order (see modules.ts;
 * the cache may hold more: what an older hypwasm picked).
 */
function cachedModules(cache: string): { name: string; data: Uint8Array }[] {
  const dir = join(cache, MODULES_DIR);
  const orderPath = join(dir, LOAD_ORDER_FILE);
  if (!existsSync(orderPath))
    throw new FetchError(`no ${MODULES_DIR} in ${cache}: run 'hypwasm images fetch' first`);
  const data = new Map<string, Uint8Array>();
  const known = new Map<string, ModInfo>();
  for (const name of readFileSync(orderPath, "utf8").split("\n").filter(Boolean)) {
    const p = join(dir, `${name}.ko`);
    if (!existsSync(p)) continue;
    const d = readFileSync(p);
    const info = modInfo(d);
    if (info) {
      data.set(info.name, d);
      known.set(info.name, info);
    }
  }
  try {
    return loadOrder(known, NEON_MODULES).map((name) => ({ name, data: data.get(name)! }));
  } catch (e) {
    throw new FetchError(`${dir}: ${(e as Error).message}: run 'hypwasm images fetch --force'`);
  }
}

/**
 * Writes initramfs.cpio.gz (or with `neon`, initramfs-neon.cpio.gz) from the cached busybox
 * (and modules) when it is missing or differs. Compressing is most of the cost (~0.4 s for
 * initramfs-neon), so `<file>.stamp` remembers the digest of the archive it holds and the
 * file's size and mtime: while they match, the file is current without compressing again.
 */
export function ensureInitramfs(cache: string, neon = false): { path: string; written: boolean } {
  const bbPath = join(cache, "busybox");
  if (!existsSync(bbPath)) throw new FetchError(`no busybox in ${cache}: run 'hypwasm images fetch' first`);
  const bb = readFileSync(bbPath);
  const problem = checkImage(bb, "arm-elf");
  if (problem) throw new FetchError(`${bbPath}: ${problem}`);
  const cpio = buildInitramfsCpio(bb, neon ? { files: neonInitramfsFiles(cachedModules(cache)) } : {});
  const path = join(cache, neon ? NEON_INITRAMFS_FILE : INITRAMFS_FILE);
  const stampPath = `${path}.stamp`;
  const digest = createHash("sha256").update(cpio).digest("hex");
  const stamp = () => {
    const st = statSync(path);
    return `${digest} ${st.size} ${st.mtimeMs}\n`;
  };
  if (existsSync(path) && existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp())
    return { path, written: false };
  const img = gzip(cpio);
  const same = existsSync(path) && Buffer.compare(readFileSync(path), img) === 0;
  if (!same) writeAtomic(path, img);
  writeAtomic(stampPath, stamp());
  return { path, written: !same };
}

/** Every kernel module below `dir` by module name (the name in its .modinfo). */
function scanModules(dir: string): Map<string, ModInfo & { path: string }> {
  const out = new Map<string, ModInfo & { path: string }>();
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ko")) {
        const info = modInfo(readFileSync(p));
        if (info) out.set(info.name, { ...info, path: p });
      }
    }
  };
  walk(dir);
  return out;
}

function downloadAll(cache: string, log: (l: string) => void): Manifest {
  ensureApt(cache, log);
  const kernels = resolveKernels(log);
  const realPkg = (p: string) => kernels.get(p) ?? p;
  const pkgs = [...new Set(FETCHED.map((f) => realPkg(f.pkg)))];
  const tmp = mkdtempSync(join(tmpdir(), "hypwasm-fetch-"));
  try {
    log(`downloading ${pkgs.map((p) => `${p}:armhf`).join(" ")}`);
    // As root, apt would drop to the _apt user, who cannot write into our temp dir.
    const sandbox = isRoot() ? ["-o", "APT::Sandbox::User=root"] : [];
    const d = run("apt-get", [...sandbox, "download", ...pkgs.map((p) => `${p}:armhf`)], tmp);
    if (d.status !== 0)
      throw new FetchError(
        `apt-get download failed: ${lastLine(d.stderr) || `exit ${d.status}`} (try 'sudo apt-get update')`,
      );
    const debs = readdirSync(tmp).filter((f) => f.endsWith(".deb"));
    const packages: Manifest["packages"] = [];
    const root = join(tmp, "root");
    mkdirSync(root);
    for (const pkg of pkgs) {
      const deb = debs.find((f) => f.startsWith(`${pkg}_`));
      if (!deb) throw new FetchError(`apt-get download did not produce a .deb for ${pkg}`);
      const info = run("dpkg-deb", ["-f", join(tmp, deb), "Version"]);
      const meta = [...kernels].find(([, k]) => k === pkg)?.[0];
      packages.push({
        package: meta ?? pkg,
        version: info.stdout.trim(),
        ...(meta ? { kernel: pkg } : {}),
      });
      const kver = pkg.replace(/^linux-image-/, "");
      const members = FETCHED.filter((f) => realPkg(f.pkg) === pkg).map(
        (f) => `./${f.member.replace("{kver}", kver)}`,
      );
      // Extract only the members we need (a kernel package is mostly modules), and from
      // the lpae kernel the module trees the NEON modules are picked from
      if (pkg === realPkg(MODULES_FROM))
        members.push(...MODULE_TREES.map((t) => `./lib/modules/${kver}/kernel/${t}/*`));
      const x = run("sh", [
        "-c",
        'deb="$1"; dir="$2"; shift 2; dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards "$@"',
        "sh",
        join(tmp, deb),
        root,
        ...members,
      ]);
      if (x.status !== 0) throw new FetchError(`extracting ${deb} failed: ${lastLine(x.stderr)}`);
    }
    const files: Manifest["files"] = {};
    const extracted = new Map<string, string>();
    for (const f of FETCHED) {
      const kver = realPkg(f.pkg).replace(/^linux-image-/, "");
      const member = f.member.replace("{kver}", kver);
      extracted.set(f.name, join(root, member));
      const data = readFileSync(join(root, member));
      const problem = checkImage(data, f.check);
      if (problem) throw new FetchError(`${realPkg(f.pkg)}: /${member}: ${problem}`);
      files[f.name] = {
        file: f.file,
        from: `${realPkg(f.pkg)}:/${member}`,
        size: data.length,
        sha256: sha256(data),
      };
    }
    const modPkg = realPkg(MODULES_FROM);
    const known = scanModules(join(root, "lib/modules", modPkg.replace(/^linux-image-/, "")));
    let order: string[];
    try {
      order = loadOrder(known, NEON_MODULES);
    } catch (e) {
      throw new FetchError(`${modPkg}: ${(e as Error).message}`);
    }
    mkdirSync(cache, { recursive: true });
    for (const f of FETCHED) {
      const dst = join(cache, f.file);
      const tmpDst = `${dst}.tmp-${process.pid}`;
      copyFileSync(extracted.get(f.name)!, tmpDst);
      renameSync(tmpDst, dst);
    }
    const modDir = join(cache, MODULES_DIR);
    mkdirSync(modDir, { recursive: true });
    for (const name of order) {
      const src = known.get(name)!.path;
      const data = readFileSync(src);
      writeAtomic(join(modDir, `${name}.ko`), data);
      files[`module ${name}`] = {
        file: `${MODULES_DIR}/${name}.ko`,
        from: `${modPkg}:${src.slice(root.length)}`,
        size: data.length,
        sha256: sha256(data),
      };
    }
    writeAtomic(join(modDir, LOAD_ORDER_FILE), `${order.join("\n")}\n`);
    return { source: "apt", fetched: new Date().toISOString(), packages, files };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Fills the cache. With everything present (and no `force`) nothing is downloaded and
 * nothing is rewritten; files placed by hand get a "manual" manifest.
 */
export function fetchImages(opts: FetchOptions = {}): FetchResult {
  const cache = resolve(opts.cache ?? defaultCacheDir());
  const log = opts.log ?? (() => {});
  let downloaded = false;
  let manifest = readManifest(cache);
  if (opts.force || !present(cache, manifest)) {
    manifest = downloadAll(cache, log);
    writeManifest(cache, manifest);
    downloaded = true;
  } else if (!manifest) {
    log("all files present (placed by hand); writing manifest.json");
    manifest = manualManifest(cache);
    writeManifest(cache, manifest);
  }
  const { written } = ensureInitramfs(cache);
  if (written) log(`built ${join(cache, INITRAMFS_FILE)}`);
  const neon = hasModules(cache) ? ensureInitramfs(cache, true) : { path: "", written: false };
  if (neon.written) log(`built ${neon.path}`);
  return { cache, downloaded, builtInitramfs: written || neon.written, manifest };
}

/** Path of an image in the cache by short name ("lpae", "initramfs", ...) or file name. */
export function imagePath(name: string, cache: string = defaultCacheDir()): string {
  if (name === "initramfs" || name === INITRAMFS_FILE) {
    // Rebuilt (~60 ms) when it differs from what this hypwasm builds from the cached busybox.
    const p = join(cache, INITRAMFS_FILE);
    return existsSync(p) && !existsSync(join(cache, "busybox")) ? p : ensureInitramfs(cache).path;
  }
  if (name === "initramfs-neon" || name === NEON_INITRAMFS_FILE) return ensureInitramfs(cache, true).path;
  const f = FETCHED.find((x) => x.name === name || x.file === name);
  if (!f) throw new FetchError(`unknown image '${name}' (known: ${IMAGE_NAMES.join(", ")})`);
  const p = join(cache, f.file);
  if (!existsSync(p)) throw new FetchError(`${f.file} is not in ${cache}: run 'hypwasm images fetch' first`);
  return p;
}

/** Is the image in the cache (an initramfs: can it be built from the cache)? Never throws FetchError. */
export function hasImage(name: string, cache: string = defaultCacheDir()): boolean {
  try {
    return existsSync(imagePath(name, cache));
  } catch (e) {
    if (e instanceof FetchError) return false;
    throw e;
  }
}

export interface ImageInfo {
  name: string;
  file: string;
  path: string;
  present: boolean;
  size?: number;
  description: string;
}

/** What the cache holds (for `hypwasm images list`). */
export function listImages(cache: string = defaultCacheDir()): {
  manifest: Manifest | null;
  images: ImageInfo[];
} {
  const all = [
    ...FETCHED.map((f) => ({ name: f.name, file: f.file, description: f.description })),
    { name: "initramfs", file: INITRAMFS_FILE, description: "busybox initramfs (built by hypwasm)" },
    {
      name: "initramfs-neon",
      file: NEON_INITRAMFS_FILE,
      description: "the same with the NEON modules and /bin/neon-selftest",
    },
  ];
  const images = all.map((f) => {
    const path = join(cache, f.file);
    const present = existsSync(path);
    return { ...f, path, present, ...(present ? { size: statSync(path).size } : {}) };
  });
  return { manifest: readManifest(cache), images };
}
