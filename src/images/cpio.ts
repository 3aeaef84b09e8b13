// A writer for cpio archives in the "newc" (SVR4, no CRC) format, the format Linux
// unpacks as an initramfs.
//
// Each entry is a 110-byte ASCII header, the NUL-terminated path name, then the file
// data. The header is the magic "070701" followed by thirteen 8-digit hexadecimal
// fields: ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
// rdevminor, namesize (including the NUL) and check (always 0 for newc). The name is
// padded with NULs so that header+name ends on a 4-byte boundary, and the data is
// padded to a 4-byte boundary too. The archive ends with an entry named "TRAILER!!!".
//
// Output is deterministic: inode numbers are assigned in insertion order, mtimes and
// ownership default to 0, so the same entries always give the same bytes.

import { gzipSync } from "node:zlib";

/** File-type bits of st_mode. */
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

export interface CpioEntry {
  /** Path inside the archive, without a leading "/" or "./" (e.g. "bin/busybox"). */
  name: string;
  /** Full st_mode: file type | permission bits. */
  mode: number;
  /** Contents (regular files) or link target (symlinks). Empty for others. */
  data?: Uint8Array;
  uid?: number;
  gid?: number;
  mtime?: number;
  /** Device number of a character/block special file. */
  rdevMajor?: number;
  rdevMinor?: number;
}

const HEADER_SIZE = 110;
const MAGIC = "070701";
const TRAILER = "TRAILER!!!";

const pad4 = (n: number): number => (4 - (n & 3)) & 3;

function hex8(v: number, field: string): string {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new RangeError(`cpio: ${field} out of range: ${v}`);
  return v.toString(16).padStart(8, "0").toUpperCase();
}

/** Accumulates entries and serialises them into one newc archive. */
export class CpioWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private nextIno: number;
  private readonly names = new Set<string>();
  private finished = false;

  /** `firstIno`: inode number of the first entry (GNU cpio --reproducible starts at 0). */
  constructor(opts: { firstIno?: number } = {}) {
    this.nextIno = opts.firstIno ?? 1;
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private record(name: string, fields: number[], data: Uint8Array): void {
    const nameBytes = Buffer.from(`${name}\0`, "utf8");
    const header = MAGIC + fields.map((v, i) => hex8(v, FIELD_NAMES[i])).join("");
    this.push(Buffer.from(header, "latin1"));
    this.push(nameBytes);
    this.push(new Uint8Array(pad4(HEADER_SIZE + nameBytes.length)));
    if (data.length) {
      this.push(data);
      this.push(new Uint8Array(pad4(data.length)));
    }
  }

  /** Adds one entry. Names must be unique; parents should be added before children. */
  add(e: CpioEntry): this {
    if (this.finished) throw new Error("cpio: archive already finished");
    const name = e.name.replace(/^(\.\/|\/)+/, "");
    if (!name || name === TRAILER) throw new Error(`cpio: bad entry name '${e.name}'`);
    if (this.names.has(name)) throw new Error(`cpio: duplicate entry '${name}'`);
    this.names.add(name);
    const type = e.mode & S_IFMT;
    const data = e.data ?? new Uint8Array(0);
    if (data.length && type !== S_IFREG && type !== S_IFLNK)
      throw new Error(`cpio: '${name}': only regular files and symlinks carry data`);
    const isDev = type === S_IFCHR || type === S_IFBLK;
    this.record(
      name,
      [
        this.nextIno++,
        e.mode,
        e.uid ?? 0,
        e.gid ?? 0,
        type === S_IFDIR ? 2 : 1,
        e.mtime ?? 0,
        data.length,
        0, // devmajor/devminor: the device holding the file; meaningless here
        0,
        isDev ? (e.rdevMajor ?? 0) : 0,
        isDev ? (e.rdevMinor ?? 0) : 0,
        Buffer.byteLength(name, "utf8") + 1,
        0,
      ],
      data,
    );
    return this;
  }

  dir(name: string, perm = 0o755): this {
    return this.add({ name, mode: S_IFDIR | perm });
  }

  file(name: string, data: Uint8Array | string, perm = 0o644): this {
    return this.add({
      name,
      mode: S_IFREG | perm,
      data: typeof data === "string" ? Buffer.from(data) : data,
    });
  }

  symlink(name: string, target: string): this {
    return this.add({ name, mode: S_IFLNK | 0o777, data: Buffer.from(target) });
  }

  charDev(name: string, major: number, minor: number, perm = 0o600): this {
    return this.add({ name, mode: S_IFCHR | perm, rdevMajor: major, rdevMinor: minor });
  }

  /** Appends the trailer and returns the whole archive. */
  finish(): Uint8Array {
    if (!this.finished) {
      this.record(TRAILER, [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, TRAILER.length + 1, 0], new Uint8Array(0));
      this.finished = true;
    }
    return Buffer.concat(this.chunks, this.size);
  }
}

const FIELD_NAMES = [
  "ino",
  "mode",
  "uid",
  "gid",
  "nlink",
  "mtime",
  "filesize",
  "devmajor",
  "devminor",
  "rdevmajor",
  "rdevminor",
  "namesize",
  "check",
];

/**
 * gzip with fixed settings. Node writes a zero MTIME and a constant OS byte in the
 * gzip header, so equal input gives equal output.
 */
export function gzip(data: Uint8Array): Uint8Array {
  return gzipSync(data, { level: 9 });
}
