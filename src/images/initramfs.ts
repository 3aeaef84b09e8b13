// Builds the guest's busybox initramfs: a gzip-compressed newc cpio archive holding a
// statically linked busybox, its applet symlinks, the device nodes the kernel needs
// before devtmpfs is mounted, and an /init script that mounts the pseudo file systems,
// prints a ready marker and starts a shell on the console.
//
// The archive is deterministic (sorted entries, fixed inode numbers, mtime 0, uid/gid 0),
// so the same busybox gives the same bytes and guest boots stay reproducible.

import { CpioWriter, gzip } from "./cpio.js";

/** The line /init prints (followed by a space and the uptime) when the shell is about to start. */
export const READY_MARKER = "HYPWASM-SHELL-READY";

/** Applets linked into /bin (all present in Debian 12's busybox-static 1.35). */
export const APPLETS = [
  "sh",
  "ash",
  "cat",
  "echo",
  "ls",
  "mount",
  "umount",
  "mkdir",
  "mknod",
  "uname",
  "dmesg",
  "ps",
  "sleep",
  "grep",
  "sed",
  "head",
  "tail",
  "cut",
  "wc",
  "tr",
  "stty",
  "date",
  "free",
  "df",
  "du",
  "ln",
  "rm",
  "mv",
  "cp",
  "chmod",
  "touch",
  "true",
  "false",
  "test",
  "env",
  "id",
  "hostname",
  "poweroff",
  "reboot",
  "halt",
  "sync",
  "setsid",
  "cttyhack",
  "vi",
  "more",
  "hexdump",
  "od",
  "devmem",
  "ifconfig",
  "ip",
  "md5sum",
  "sha256sum",
  "seq",
  "expr",
  "printf",
  "time",
  "top",
  "kill",
  "insmod",
  "lsmod",
  "rmmod",
] as const;

/**
 * The /init script. `setsid cttyhack sh` gives the shell a controlling terminal (the
 * real console device, e.g. /dev/ttyAMA0 from devtmpfs), so job control and Ctrl-C work.
 */
export const INIT_SCRIPT = `#!/bin/sh
export PATH=/bin:/sbin
mount -t proc     proc     /proc
mount -t sysfs    sysfs    /sys
mount -t devtmpfs devtmpfs /dev
echo "${READY_MARKER} $(cut -d' ' -f1 /proc/uptime)"
exec setsid cttyhack /bin/sh
`;

export interface InitramfsOptions {
  /** Replaces the default /init script. */
  init?: string;
  /** Extra regular files, path (without leading "/") -> contents; parent dirs are created. */
  files?: Record<string, Uint8Array | string | { data: Uint8Array | string; perm: number }>;
}

/** The uncompressed cpio archive. */
export function buildInitramfsCpio(busybox: Uint8Array, opts: InitramfsOptions = {}): Uint8Array {
  // Collect every entry first, then emit in sorted order (parents sort before children).
  type Item =
    | { kind: "dir"; perm: number }
    | { kind: "file"; data: Uint8Array | string; perm: number }
    | { kind: "link"; target: string }
    | { kind: "chr"; major: number; minor: number; perm: number };
  const items = new Map<string, Item>();
  const dir = (p: string) => {
    const parts = p.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (!items.has(d)) items.set(d, { kind: "dir", perm: d === "tmp" ? 0o1777 : 0o755 });
    }
  };
  for (const d of ["bin", "sbin", "dev", "proc", "sys", "tmp", "root", "etc"]) dir(d);
  items.set("bin/busybox", { kind: "file", data: busybox, perm: 0o755 });
  for (const a of APPLETS) items.set(`bin/${a}`, { kind: "link", target: "busybox" });
  items.set("sbin/init", { kind: "link", target: "../bin/busybox" });
  // The kernel opens /dev/console for init before anything mounts devtmpfs.
  items.set("dev/console", { kind: "chr", major: 5, minor: 1, perm: 0o600 });
  items.set("dev/null", { kind: "chr", major: 1, minor: 3, perm: 0o666 });
  items.set("init", { kind: "file", data: opts.init ?? INIT_SCRIPT, perm: 0o755 });
  for (const [p, f] of Object.entries(opts.files ?? {})) {
    const name = p.replace(/^\/+/, "");
    const slash = name.lastIndexOf("/");
    if (slash > 0) dir(name.slice(0, slash));
    const file = typeof f === "string" || f instanceof Uint8Array ? { data: f, perm: 0o644 } : f;
    items.set(name, { kind: "file", ...file });
  }

  const w = new CpioWriter();
  for (const name of [...items.keys()].sort()) {
    const it = items.get(name)!;
    if (it.kind === "dir") w.dir(name, it.perm);
    else if (it.kind === "file") w.file(name, it.data, it.perm);
    else if (it.kind === "link") w.symlink(name, it.target);
    else w.charDev(name, it.major, it.minor, it.perm);
  }
  return w.finish();
}

/** The gzip-compressed initramfs, ready for `-initrd`. */
export function buildInitramfs(busybox: Uint8Array, opts: InitramfsOptions = {}): Uint8Array {
  return gzip(buildInitramfsCpio(busybox, opts));
}

/** Where initramfs-neon keeps the NEON modules (see modules.ts). */
export const NEON_MODULE_DIR = "lib/modules/neon";

/**
 * /bin/neon-selftest: loads the NEON modules in order — the crypto manager tests every
 * algorithm a module registers against its test vectors as it registers — then prints
 * one "driver selftest-result" line per algorithm in /proc/crypto and xor's log lines
 * (its choice of routine), then "neon-selftest: done".
 */
export const NEON_SELFTEST_SCRIPT = `#!/bin/sh
dir=/${NEON_MODULE_DIR}
for m in $(cat $dir/load-order); do
  insmod $dir/$m.ko || echo "neon-selftest: insmod $m failed"
done
sed -n '/^driver/{s/^[^:]*: //;h;};/^selftest/{s/^[^:]*: //;H;x;s/\\n/ /p;}' /proc/crypto
dmesg | grep -E 'xor:|alg:'
echo "neon-selftest: done"
`;

/** The extra files of initramfs-neon: the modules (in load order) and neon-selftest. */
export function neonInitramfsFiles(
  modules: readonly { name: string; data: Uint8Array }[],
): NonNullable<InitramfsOptions["files"]> {
  const files: NonNullable<InitramfsOptions["files"]> = {
    [`${NEON_MODULE_DIR}/load-order`]: `${modules.map((m) => m.name).join("\n")}\n`,
    "bin/neon-selftest": { data: NEON_SELFTEST_SCRIPT, perm: 0o755 },
  };
  for (const m of modules) files[`${NEON_MODULE_DIR}/${m.name}.ko`] = m.data;
  return files;
}
