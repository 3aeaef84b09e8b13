// The newc cpio writer and the busybox initramfs, checked against GNU cpio: the system
// `cpio` lists and extracts our archives, and for the same tree `cpio -o -H newc
// --reproducible` produces exactly our bytes.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CpioWriter, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG } from "../../src/images/cpio.js";
import {
  APPLETS,
  buildInitramfs,
  buildInitramfsCpio,
  INIT_SCRIPT,
  READY_MARKER,
} from "../../src/images/initramfs.js";

const haveCpio = spawnSync("cpio", ["--version"]).status === 0;
const isRoot = process.getuid?.() === 0;
const tmp = () => mkdtempSync(join(tmpdir(), "hypwasm-cpio-"));

function sample(firstIno?: number): Uint8Array {
  const w = new CpioWriter({ firstIno });
  w.dir("a");
  w.file("a/f", "hello"); // 5 bytes: data padding 3
  w.symlink("a/l", "f");
  w.charDev("a/null", 1, 3, 0o666);
  w.file("g", "xyz1234", 0o755); // 7 bytes: padding 1
  return w.finish();
}

/** Parses a newc archive (only for checking our own layout). */
function parse(b: Uint8Array) {
  const out: { name: string; f: number[]; data: Uint8Array; off: number }[] = [];
  let off = 0;
  for (;;) {
    const h = Buffer.from(b.subarray(off, off + 110)).toString("latin1");
    expect(h.slice(0, 6)).toBe("070701");
    const f = Array.from({ length: 13 }, (_, i) => Number.parseInt(h.slice(6 + 8 * i, 14 + 8 * i), 16));
    const nameEnd = off + 110 + f[11];
    const name = Buffer.from(b.subarray(off + 110, nameEnd - 1)).toString("utf8");
    expect(b[nameEnd - 1]).toBe(0);
    const dataOff = (nameEnd + 3) & ~3;
    const data = b.subarray(dataOff, dataOff + f[6]);
    out.push({ name, f, data, off });
    off = (dataOff + f[6] + 3) & ~3;
    if (name === "TRAILER!!!") break;
  }
  expect(off).toBe(b.length);
  return out;
}

describe("cpio writer (newc)", () => {
  it("lays out headers, names, padding and the trailer", () => {
    const a = sample();
    expect(a.length % 4).toBe(0);
    const e = parse(a);
    expect(e.map((x) => x.name)).toEqual(["a", "a/f", "a/l", "a/null", "g", "TRAILER!!!"]);
    const byName = Object.fromEntries(e.map((x) => [x.name, x]));
    // ino, mode, uid, gid, nlink, mtime, filesize, devmaj, devmin, rdevmaj, rdevmin, namesize, check
    expect(byName.a.f).toEqual([1, S_IFDIR | 0o755, 0, 0, 2, 0, 0, 0, 0, 0, 0, 2, 0]);
    expect(byName["a/f"].f).toEqual([2, S_IFREG | 0o644, 0, 0, 1, 0, 5, 0, 0, 0, 0, 4, 0]);
    expect(Buffer.from(byName["a/f"].data).toString()).toBe("hello");
    expect(byName["a/l"].f[1]).toBe(S_IFLNK | 0o777);
    expect(Buffer.from(byName["a/l"].data).toString()).toBe("f");
    expect(byName["a/null"].f).toEqual([4, S_IFCHR | 0o666, 0, 0, 1, 0, 0, 0, 0, 1, 3, 7, 0]);
    expect(byName["TRAILER!!!"].f).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 11, 0]);
    // Every header starts 4-byte aligned; the first header's name "a\0" needs 0 bytes of padding.
    for (const x of e) expect(x.off % 4).toBe(0);
    expect(e[1].off).toBe(112);
  });

  it("rejects duplicates, bad names and data on directories", () => {
    expect(() => new CpioWriter().file("x", "1").file("./x", "2")).toThrow(/duplicate/);
    expect(() => new CpioWriter().file("TRAILER!!!", "")).toThrow(/bad entry name/);
    expect(() => new CpioWriter().add({ name: "d", mode: S_IFDIR | 0o755, data: Buffer.from("x") })).toThrow(
      /only regular files/,
    );
  });

  it.skipIf(!haveCpio)("is byte-identical to GNU cpio -o -H newc --reproducible for the same tree", () => {
    const d = tmp();
    const t = join(d, "t");
    mkdirSync(join(t, "a"), { recursive: true });
    writeFileSync(join(t, "a/f"), "hello");
    spawnSync("ln", ["-s", "f", join(t, "a/l")]);
    writeFileSync(join(t, "g"), "xyz1234", { mode: 0o755 });
    const names = ["a", "a/f", "a/l", "g"];
    const w = new CpioWriter({ firstIno: 0 });
    w.dir("a").file("a/f", "hello").symlink("a/l", "f").file("g", "xyz1234", 0o755);
    const ours = w.finish();
    spawnSync("chmod", ["755", join(t, "a")]);
    spawnSync("chmod", ["644", join(t, "a/f")]);
    spawnSync("chmod", ["755", join(t, "g")]);
    for (const n of names) expect(spawnSync("touch", ["-h", "-d", "@0", join(t, n)]).status).toBe(0);
    const r = spawnSync("cpio", ["--quiet", "-o", "-H", "newc", "-R", "0:0", "--reproducible"], {
      cwd: t,
      input: `${names.join("\n")}\n`,
    });
    expect(r.status).toBe(0);
    const gnu = r.stdout as Buffer;
    // GNU cpio pads the archive to 512-byte blocks with zeros.
    expect(Buffer.from(gnu.subarray(0, ours.length)).equals(Buffer.from(ours))).toBe(true);
    expect(gnu.subarray(ours.length).every((x) => x === 0)).toBe(true);
  });

  it.skipIf(!haveCpio)("is listed and extracted by the system cpio", () => {
    const d = tmp();
    const file = join(d, "s.cpio");
    writeFileSync(file, sample());
    const list = spawnSync("cpio", ["-t", "-v", "--quiet", "-F", file], { encoding: "utf8" });
    expect(list.status).toBe(0);
    const lines = list.stdout.trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^drwxr-xr-x\s+2 root\s+root\s+0 .*1970 a$/);
    expect(lines[1]).toMatch(/^-rw-r--r--\s+1 root\s+root\s+5 .* a\/f$/);
    expect(lines[2]).toMatch(/^lrwxrwxrwx\s+1 root\s+root\s+1 .* a\/l -> f$/);
    expect(lines[3]).toMatch(/^crw-rw-rw-\s+1 root\s+root\s+1,\s+3 .* a\/null$/);
    expect(lines[4]).toMatch(/^-rwxr-xr-x\s+1 root\s+root\s+7 .* g$/);
    const out = join(d, "x");
    mkdirSync(out);
    // Device nodes need root to create; otherwise leave them out of the extraction.
    const args = [
      "-i",
      "-d",
      "--quiet",
      "--no-absolute-filenames",
      "-F",
      file,
      ...(isRoot ? [] : ["-f", "a/null"]),
    ];
    const x = spawnSync("cpio", args, { cwd: out, encoding: "utf8" });
    expect(x.status, x.stderr).toBe(0);
    expect(readFileSync(join(out, "a/f"), "utf8")).toBe("hello");
    expect(readFileSync(join(out, "g"), "utf8")).toBe("xyz1234");
    expect(lstatSync(join(out, "g")).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(out, "a/l"))).toBe("f");
    if (isRoot) {
      const st = lstatSync(join(out, "a/null"));
      expect(st.isCharacterDevice()).toBe(true);
      expect(st.rdev).toBe((1 << 8) | 3);
    }
  });
});

describe("busybox initramfs", () => {
  // A stand-in for busybox (the real one is exercised in fetch.test.ts).
  const fake = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]), Buffer.alloc(4093, 0xa5)]);

  it("is deterministic (same input, same bytes, compressed and not)", () => {
    const a = buildInitramfs(fake);
    const b = buildInitramfs(Buffer.from(fake));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(gunzipSync(a)).equals(Buffer.from(buildInitramfsCpio(fake)))).toBe(true);
    // gzip header: magic, deflate, no flags, MTIME 0.
    expect([...a.subarray(0, 8)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
  });

  it.skipIf(!haveCpio)("holds busybox, applet links, device nodes, dirs and /init", () => {
    const d = tmp();
    const file = join(d, "i.cpio.gz");
    writeFileSync(file, buildInitramfs(fake, { files: { "etc/motd": "hi\n" } }));
    const list = spawnSync("sh", ["-c", 'zcat "$1" | cpio -t -v --quiet', "sh", file], { encoding: "utf8" });
    expect(list.status).toBe(0);
    const lines = list.stdout.trim().split("\n");
    const entry = (name: string) => lines.find((l) => l.endsWith(` ${name}`) || l.includes(` ${name} -> `));
    for (const dir of ["bin", "sbin", "dev", "proc", "sys", "root", "etc"])
      expect(entry(dir)).toMatch(/^drwxr-xr-x\s+2 root\s+root/);
    expect(entry("tmp")).toMatch(/^drwxrwxrwt/);
    expect(entry("bin/busybox")).toMatch(/^-rwxr-xr-x\s+1 root\s+root\s+4100 /);
    for (const a of APPLETS)
      expect(entry(`bin/${a}`)).toMatch(new RegExp(`^lrwxrwxrwx .* bin/${a} -> busybox$`));
    expect(entry("sbin/init")).toMatch(/sbin\/init -> \.\.\/bin\/busybox$/);
    expect(entry("dev/console")).toMatch(/^crw-------\s+1 root\s+root\s+5,\s+1 /);
    expect(entry("dev/null")).toMatch(/^crw-rw-rw-\s+1 root\s+root\s+1,\s+3 /);
    expect(entry("init")).toMatch(/^-rwxr-xr-x/);
    expect(entry("etc/motd")).toMatch(/^-rw-r--r--/);
    // Parents come before children (the kernel creates entries in archive order).
    const names = lines.map((l) =>
      l
        .split(/\s+/)
        .slice(8)
        .join(" ")
        .replace(/ -> .*/, ""),
    );
    for (const [i, n] of names.entries()) {
      const parent = n.includes("/") ? n.slice(0, n.lastIndexOf("/")) : null;
      if (parent) expect(names.indexOf(parent)).toBeLessThan(i);
    }
    // Contents survive extraction.
    const out = join(d, "x");
    mkdirSync(out);
    const x = spawnSync(
      "sh",
      ["-c", `zcat "$1" | cpio -i -d --quiet ${isRoot ? "" : "-f 'dev/*'"}`, "sh", file],
      { cwd: out, encoding: "utf8" },
    );
    expect(x.status, x.stderr).toBe(0);
    expect(readFileSync(join(out, "bin/busybox")).equals(fake)).toBe(true);
    expect(readFileSync(join(out, "init"), "utf8")).toBe(INIT_SCRIPT);
    expect(readlinkSync(join(out, "bin/sh"))).toBe("busybox");
    if (isRoot) expect(lstatSync(join(out, "dev/console")).isCharacterDevice()).toBe(true);
    expect(existsSync(join(out, "proc"))).toBe(true);
  });

  it("/init mounts proc, sys and devtmpfs, prints the marker and starts a shell", () => {
    expect(INIT_SCRIPT.startsWith("#!/bin/sh\n")).toBe(true);
    expect(INIT_SCRIPT).toMatch(/mount -t proc\s+proc\s+\/proc/);
    expect(INIT_SCRIPT).toMatch(/mount -t sysfs\s+sysfs\s+\/sys/);
    expect(INIT_SCRIPT).toMatch(/mount -t devtmpfs\s+devtmpfs\s+\/dev/);
    expect(INIT_SCRIPT).toContain(`echo "${READY_MARKER} $(cut -d' ' -f1 /proc/uptime)"`);
    expect(INIT_SCRIPT.trim().split("\n").pop()).toBe("exec setsid cttyhack /bin/sh");
  });
});
