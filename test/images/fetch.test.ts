// The guest image cache: fetched with apt into the default cache dir (so reruns are
// instant), checked for the right file kinds, idempotent, usable with files placed by
// hand, and proven independently of hypwasm by booting QEMU with our initramfs.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkImage,
  defaultCacheDir,
  ensureInitramfs,
  FETCHED,
  type FetchResult,
  fetchImages,
  hasImage,
  INITRAMFS_FILE,
  imagePath,
} from "../../src/images/fetch.js";
import { APPLETS, READY_MARKER } from "../../src/images/initramfs.js";
import {
  LOAD_ORDER_FILE,
  MODULES_DIR,
  type ModInfo,
  modInfo,
  NEON_MODULES,
} from "../../src/images/modules.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000, env });
const tmp = () => mkdtempSync(join(tmpdir(), "hypwasm-images-"));

const has = (cmd: string, args = ["--version"]) => spawnSync(cmd, args).status === 0;
const aptUsable =
  has("apt-get") &&
  has("dpkg-deb") &&
  (spawnSync("dpkg", ["--print-foreign-architectures"], { encoding: "utf8" }).stdout ?? "").includes("armhf");

/** Fails with exactly one error line (last on stderr, after any progress lines), no stack trace. */
function expectOneLineError(r: ReturnType<typeof cli>, pattern: RegExp): void {
  expect(r.status).not.toBe(0);
  expect(r.status).not.toBeNull();
  const lines = r.stderr.trim().split("\n");
  expect(lines.filter((l) => l.startsWith("hypwasm: error:"))).toHaveLength(1);
  expect(lines.every((l) => l.startsWith("hypwasm: "))).toBe(true);
  expect(lines.at(-1)).toMatch(pattern);
}

describe("hypwasm images: errors", () => {
  it("without apt/dpkg: one line saying what to do", () => {
    const empty = tmp();
    const r = cli(["images", "fetch", "--cache", join(empty, "cache")], { ...process.env, PATH: empty });
    expectOneLineError(r, /^hypwasm: error: 'dpkg' not found: .*Debian.*by hand/);
    expect(r.stderr).toContain("vmlinuz-armmp-lpae");
  });
  // Fake apt/dpkg tools on PATH drive the error paths without touching the system.
  function fakeTools(scripts: Record<string, string>): NodeJS.ProcessEnv {
    const bin = tmp();
    const all = { dpkg: "", "dpkg-deb": "", "apt-get": "", "apt-cache": "", tar: "", ...scripts };
    for (const [name, body] of Object.entries(all))
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\nexit 0\n`, { mode: 0o755 });
    return { ...process.env, PATH: bin };
  }
  it("armhf not enabled / no package lists: one line saying what to run", () => {
    const env = fakeTools({ "apt-cache": "exit 0" });
    const r = cli(["images", "fetch", "--cache", join(tmp(), "c")], env);
    if (process.getuid?.() === 0)
      // As root, fetch adds armhf itself and runs apt-get update; the (fake) lists stay empty.
      expectOneLineError(
        r,
        /^hypwasm: error: apt knows no linux-image-armmp-lpae:armhf package: run 'sudo apt-get update'/,
      );
    else
      expectOneLineError(
        r,
        /^hypwasm: error: apt has no armhf architecture: run 'sudo dpkg --add-architecture armhf/,
      );
  });
  it("apt-get download failing: one line with apt's reason", () => {
    const env = fakeTools({
      dpkg: '[ "$1" = --print-foreign-architectures ] && echo armhf',
      "apt-cache": 'echo "$2"; echo "  Depends: linux-image-6.1.0-99-armmp:armhf"',
      "apt-get":
        '[ "$1" = --version ] && exit 0; echo "E: Unable to locate package busybox-static:armhf" >&2; exit 100',
    });
    expectOneLineError(
      cli(["images", "fetch", "--cache", join(tmp(), "c")], env),
      /^hypwasm: error: apt-get download failed: E: Unable to locate package busybox-static:armhf \(try 'sudo apt-get update'\)$/,
    );
  });
  it("path of a missing or unknown image", () => {
    const empty = tmp();
    expectOneLineError(
      cli(["images", "path", "lpae", "--cache", empty]),
      /^hypwasm: error: vmlinuz-armmp-lpae is not in .*: run 'hypwasm images fetch' first$/,
    );
    expectOneLineError(
      cli(["images", "path", "bogus", "--cache", empty]),
      /unknown image 'bogus' \(known: lpae,/,
    );
  });
  it("an empty cache: hasImage says no (no throw), list says how to fill it", () => {
    const empty = tmp();
    for (const n of ["lpae", "xen", "initramfs", "initramfs-neon"]) expect(hasImage(n, empty), n).toBe(false);
    expect(() => hasImage("nonsense", empty)).not.toThrow();
    const r = cli(["images", "list", "--cache", empty]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/lpae\s+vmlinuz-armmp-lpae\s+missing/);
    expect(r.stdout).toContain("run 'hypwasm images fetch'");
  });
});

const READELF = "arm-linux-gnueabihf-readelf";

/** name= and depends= of a module as binutils prints its .modinfo section. */
function readelfInfo(path: string): ModInfo {
  const r = spawnSync(READELF, ["-p", ".modinfo", path], { encoding: "utf8" });
  const fields = [...r.stdout.matchAll(/^\s*\[\s*[0-9a-f]+\]\s+(\S+?)=(.*)$/gm)].map((m) => [m[1], m[2]]);
  const get = (k: string) => fields.find(([key]) => key === k)?.[1] ?? "";
  return {
    name: get("name").replaceAll("-", "_"),
    depends: get("depends")
      .split(",")
      .filter(Boolean)
      .map((d) => d.replaceAll("-", "_")),
  };
}

describe.skipIf(!aptUsable)("hypwasm images fetch (apt)", () => {
  const cache = defaultCacheDir();
  let first: FetchResult;
  beforeAll(() => {
    first = fetchImages({ log: (l) => console.log(`fetch: ${l}`) });
  });

  it("fetches zImage kernels, Xen, an ARM busybox and records their sha256", () => {
    expect(first.cache).toBe(cache);
    const m = first.manifest;
    for (const f of FETCHED) {
      const data = readFileSync(join(cache, f.file));
      expect(checkImage(data, f.check), f.file).toBeNull();
      expect(m.files[f.name].size).toBe(data.length);
    }
    for (const f of ["vmlinuz-armmp-lpae", "vmlinuz-armmp", "xen-4.17-armhf"]) {
      const d = readFileSync(join(cache, f));
      expect(d.readUInt32LE(0x24), f).toBe(0x016f2818);
    }
    const bb = readFileSync(join(cache, "busybox"));
    expect(bb.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    expect(bb[4]).toBe(1); // ELFCLASS32
    expect(bb.readUInt16LE(0x12)).toBe(40); // EM_ARM
    const versions = readFileSync(join(cache, "VERSIONS.txt"), "utf8");
    for (const f of Object.values(m.files)) expect(versions).toContain(`${f.sha256}  ${f.file}`);
    if (m.source === "apt") {
      const lpae = m.packages.find((p) => p.package === "linux-image-armmp-lpae");
      expect(lpae?.kernel).toMatch(/^linux-image-6\.\d+\.\d+-\d+-armmp-lpae$/);
      expect(m.files.lpae.from).toBe(`${lpae?.kernel}:/boot/vmlinuz-${lpae?.kernel?.slice(12)}`);
    }
  });

  it("the NEON modules of the lpae kernel: .modinfo as readelf reads it, in a valid load order", () => {
    const order = readFileSync(join(cache, MODULES_DIR, LOAD_ORDER_FILE), "utf8")
      .split("\n")
      .filter(Boolean);
    for (const w of NEON_MODULES) expect(order).toContain(w);
    const seen = new Set<string>();
    for (const name of order) {
      const path = join(cache, MODULES_DIR, `${name}.ko`);
      const ours = modInfo(readFileSync(path));
      expect(ours, name).toEqual(readelfInfo(path));
      for (const d of ours!.depends) expect(seen.has(d), `${name} needs ${d} first`).toBe(true);
      seen.add(name);
    }
  });

  it("a second fetch with everything present does nothing", () => {
    const snap = () =>
      Object.fromEntries(readdirSync(cache).map((f) => [f, statSync(join(cache, f)).mtimeMs]));
    const before = snap();
    const r = fetchImages();
    expect(r.downloaded).toBe(false);
    expect(r.builtInitramfs).toBe(false);
    expect(snap()).toEqual(before);
    const c = cli(["images", "fetch"]);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toBe(`all images present in ${cache}\n`);
    expect(snap()).toEqual(before);
  });

  it("files placed by hand are used as they are (no download) and give the same initramfs", () => {
    const hand = join(tmp(), "cache");
    mkdirSync(hand);
    for (const f of FETCHED) copyFileSync(join(cache, f.file), join(hand, f.file));
    const r = fetchImages({ cache: hand });
    expect(r.downloaded).toBe(false);
    expect(r.manifest.source).toBe("manual");
    expect(r.manifest.files.busybox.sha256).toBe(first.manifest.files.busybox.sha256);
    expect(readFileSync(join(hand, INITRAMFS_FILE)).equals(readFileSync(join(cache, INITRAMFS_FILE)))).toBe(
      true,
    );
  });

  it("the initramfs is rebuilt when busybox or the file changed, and only then", () => {
    const hand = join(tmp(), "cache");
    mkdirSync(hand);
    copyFileSync(join(cache, "busybox"), join(hand, "busybox"));
    const file = join(hand, INITRAMFS_FILE);
    expect(ensureInitramfs(hand).written).toBe(true);
    const built = readFileSync(file);
    expect(built.equals(readFileSync(join(cache, INITRAMFS_FILE)))).toBe(true);
    const mtime = statSync(file).mtimeMs;
    expect(ensureInitramfs(hand).written).toBe(false); // the stamp says it is current
    expect(statSync(file).mtimeMs).toBe(mtime);
    writeFileSync(file, "edited by hand"); // the file changed: built again
    expect(ensureInitramfs(hand).written).toBe(true);
    expect(readFileSync(file).equals(built)).toBe(true);
    const bb = readFileSync(join(hand, "busybox"));
    writeFileSync(join(hand, "busybox"), Buffer.concat([bb, Buffer.from([0])])); // busybox changed
    expect(ensureInitramfs(hand).written).toBe(true);
    expect(readFileSync(file).equals(built)).toBe(false);
  });

  it("images path / list", () => {
    const p = cli(["images", "path", "initramfs"]);
    expect(p.status).toBe(0);
    expect(p.stdout).toBe(`${join(cache, INITRAMFS_FILE)}\n`);
    expect(imagePath("xen")).toBe(join(cache, "xen-4.17-armhf"));
    expect(imagePath("vmlinuz-armmp")).toBe(join(cache, "vmlinuz-armmp"));
    const l = cli(["images", "list"]);
    expect(l.status).toBe(0);
    expect(l.stdout).toMatch(/package busybox-static \S+/);
    expect(l.stdout).not.toContain("missing");
  });

  it.skipIf(!has("qemu-arm"))("busybox has every applet the initramfs links", () => {
    const r = spawnSync("qemu-arm", [join(cache, "busybox"), "--list"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    const list = new Set(r.stdout.split("\n"));
    for (const a of APPLETS) expect(list.has(a), a).toBe(true);
  });

  describe.skipIf(!has("qemu-system-arm"))("QEMU boots the Debian kernels with our initramfs", () => {
    let q: ChildProcess | undefined;
    afterAll(() => {
      q?.kill("SIGKILL");
    });
    it.each(["lpae", "armmp"])("%s: reaches the ready marker and a working shell", async (kernel) => {
      q = spawn(
        "qemu-system-arm",
        [
          ...["-M", "virt,highmem=off", "-cpu", "cortex-a15", "-m", "512"],
          ...["-kernel", imagePath(kernel), "-initrd", imagePath("initramfs")],
          ...["-append", "console=ttyAMA0", "-display", "none", "-monitor", "none"],
          ...["-serial", "stdio", "-no-reboot", "-nic", "none"],
        ],
        { stdio: ["pipe", "pipe", "pipe"] },
      );
      let out = "";
      const proc = q;
      const waitFor = (re: RegExp, ms: number) =>
        new Promise<RegExpExecArray>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`timeout waiting for ${re}; output:\n${out}`)), ms);
          const check = () => {
            const m = re.exec(out);
            if (m) {
              clearTimeout(timer);
              proc.stdout?.off("data", onData);
              resolve(m);
            }
          };
          const onData = (d: Buffer) => {
            out += d.toString("latin1");
            check();
          };
          proc.stdout?.on("data", onData);
          proc.once("exit", (code) => reject(new Error(`qemu exited (${code}); output:\n${out}`)));
          check();
        });
      const ready = await waitFor(new RegExp(`${READY_MARKER} (\\d+\\.\\d+)`), 90_000);
      expect(Number(ready[1])).toBeGreaterThan(0);
      expect(out).toMatch(
        kernel === "lpae" ? /Linux version 6\.\S+-armmp-lpae / : /Linux version 6\.\S+-armmp /,
      );
      expect(out).toContain("Run /init as init process");
      q.stdin?.write("uname -m; echo JOB; sleep 5 & jobs; echo END-$((6*7))\n");
      await waitFor(/END-42/, 30_000);
      expect(out).toMatch(/armv7l\r?\nJOB\r?\n\[1\]\+\s+Running\s+sleep 5/);
      q.kill("SIGKILL");
    });
  });
});
