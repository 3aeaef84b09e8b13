// The Linux boot protocol on the virt board, against QEMU: fixtures/src/linux_proto.S
// is a bare-metal "kernel" that prints r0/r1/r2, the CPU mode, the DTB magic, /chosen
// (bootargs, stdout-path, initrd addresses) and the initrd's bytes on the PL011, then
// powers off with PSCI SYSTEM_OFF. QEMU (-M virt,highmem=off -kernel/-initrd/-append)
// and hypwasm must print the same thing. Also: the `boot` command's errors.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeFdt } from "../../src/board/fdt.js";
import { VIRT_FDT_SIZE, VirtBoard } from "../../src/board/virt.js";
import { bootLinux } from "../../src/loader/linux.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = join(ROOT, "dist/src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "hypwasm-boot-"));
const KERNEL = join(dir, "linux_proto.bin");
const ECHO = join(dir, "uart_echo.bin");
const IRQ = join(dir, "uart_irq.bin");

beforeAll(() => {
  for (const [name, bin] of [
    ["linux_proto", KERNEL],
    ["uart_echo", ECHO],
    ["uart_irq", IRQ],
  ] as const) {
    execFileSync("make", ["-s", "-C", join(ROOT, "fixtures"), `build/${name}.elf`]);
    execFileSync("arm-linux-gnueabihf-objcopy", [
      "-O",
      "binary",
      join(ROOT, `fixtures/build/${name}.elf`),
      bin,
    ]);
  }
});

interface Case {
  mem: number;
  kernel?: string;
  initrd?: string;
  append?: string;
}

function qemu(c: Case, extra: string[] = [], input?: string): string {
  const args = ["-M", "virt,highmem=off", "-cpu", "cortex-a15", "-m", String(c.mem)];
  args.push("-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot", "-nic", "none");
  args.push("-kernel", c.kernel ?? KERNEL);
  if (c.initrd) args.push("-initrd", c.initrd);
  if (c.append) args.push("-append", c.append);
  const r = spawnSync("qemu-system-arm", [...args, ...extra], { encoding: "latin1", timeout: 60_000, input });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

function ours(c: Case): { out: string; exitCode: number; halted: boolean } {
  let out = "";
  const board = new VirtBoard({ memMiB: c.mem, console: (b) => (out += String.fromCharCode(b)) });
  const m = board.machine;
  const initrd = c.initrd ? new Uint8Array(readFileSync(c.initrd)) : undefined;
  bootLinux(m.bus, m.cpu, {
    kernel: new Uint8Array(readFileSync(c.kernel ?? KERNEL)),
    initrd,
    dtb: (l) =>
      encodeFdt(
        board.deviceTree({
          bootargs: c.append,
          initrd: initrd ? { start: l.initrdStart, end: l.initrdEnd } : undefined,
        }),
        { minSize: VIRT_FDT_SIZE },
      ),
  });
  m.run(1_000_000);
  return { out, exitCode: m.cpu.exitCode, halted: m.cpu.halted };
}

const cli = (...args: string[]) => spawnSync("node", [CLI, ...args], { encoding: "latin1", timeout: 60_000 });
const cliInput = (input: string, ...args: string[]) =>
  spawnSync("node", [CLI, ...args], { encoding: "latin1", timeout: 60_000, input });

describe("Linux boot protocol: linux_proto fixture, hypwasm vs QEMU", () => {
  it("512 MiB, initrd and command line", () => {
    const initrd = join(dir, "initrd.txt");
    writeFileSync(initrd, "INITRD-CONTENT: hello from the ramdisk\n");
    const c = { mem: 512, initrd, append: "console=ttyAMA0 rdinit=/init foo=bar" };
    const q = qemu(c);
    expect(q).toContain("linux_proto: OK");
    expect(q).toContain("r2=0x48001000");
    const o = ours(c);
    expect(o.out).toBe(q);
    expect(o.halted).toBe(true);
    expect(o.exitCode).toBe(0);
  });

  it("128 MiB, no initrd, no command line: DTB at RAM + size/2", () => {
    const c = { mem: 128 };
    const q = qemu(c);
    expect(q).toContain("no initrd");
    expect(q).toContain("r2=0x44000000");
    expect(ours(c).out).toBe(q);
  });

  it("a kernel reaching past RAM/2 pushes the initrd and DTB up", () => {
    const big = join(dir, "big.bin");
    const k = new Uint8Array(30 * 1024 * 1024 + 123);
    k.set(readFileSync(KERNEL));
    writeFileSync(big, k);
    const initrd = join(dir, "initrd2.txt");
    writeFileSync(initrd, "x".repeat(5000));
    const c = { mem: 48, kernel: big, initrd, append: "a" };
    const q = qemu(c);
    expect(q).toContain("initrd-start=0x41e11000"); // page after the kernel's end
    expect(ours(c).out).toBe(q);
  });

  it("`hypwasm boot --no-xen` prints the same console and exits 0; --dtb patches /chosen", () => {
    const initrd = join(dir, "initrd3.txt");
    writeFileSync(initrd, "via the command line\n");
    const c = { mem: 256, initrd, append: "console=ttyAMA0 x=y" };
    const q = qemu(c);
    const r = cli(
      "boot",
      "--no-xen",
      "--kernel",
      KERNEL,
      "--initrd",
      initrd,
      "--append",
      c.append!,
      "--mem",
      "256",
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(q);
    // QEMU's own device tree (another command line, no initrd) given with --dtb
    const qdtb = join(dir, "q.dtb");
    qemu({ mem: 256, append: "old args" }, ["-machine", `dumpdtb=${qdtb}`]);
    const r2 = cli(
      "boot",
      "--no-xen",
      "--kernel",
      KERNEL,
      "--initrd",
      initrd,
      "--append",
      c.append!,
      "-m",
      "256",
      "--dtb",
      qdtb,
    );
    expect(r2.status).toBe(0);
    expect(r2.stdout).toBe(q);
    // --dump-dtb writes what the guest gets
    const mine = join(dir, "mine.dtb");
    const r3 = cli(
      "boot",
      "--no-xen",
      "--kernel",
      KERNEL,
      "--initrd",
      initrd,
      "--append",
      "z",
      "--dump-dtb",
      mine,
    );
    expect(r3.status).toBe(0);
    const dts = execFileSync("dtc", ["-q", "-I", "dtb", "-O", "dts", mine], { encoding: "utf8" });
    expect(dts).toContain('bootargs = "z";');
    expect(dts).toContain("linux,initrd-start = <0x48000000>;");
  });
});

// fixtures/src/uart_echo.S: a polling "shell" that prints "/ # ", answers each line with
// "got: <line>" and powers off on "poweroff -f".
describe("hypwasm boot: console input", () => {
  it("piped stdin reaches the PL011 as with qemu -serial stdio", () => {
    const input = "uname -a\necho hi\npoweroff -f\n";
    const q = qemu({ mem: 128, kernel: ECHO }, [], input);
    expect(q).toBe("/ # got: uname -a\n/ # got: echo hi\n/ # got: poweroff -f\n");
    const r = cliInput(input, "boot", "--no-xen", "--kernel", ECHO, "-m", "128");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(q);
  });
  it("--cmd types the commands at the prompt, then poweroff -f", () => {
    const r = cli("boot", "--no-xen", "--kernel", ECHO, "-m", "128", "--cmd", "uname -a; cat /proc/cpuinfo");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("/ # got: uname -a; cat /proc/cpuinfo\n/ # got: poweroff -f\n");
  });
});

// fixtures/src/uart_irq.S: input through the PL011 RX interrupt and the GIC (SPI 1).
describe("hypwasm boot: interrupt-driven console input", () => {
  it("piped input raises INTID 33 and is echoed as on QEMU", () => {
    const input = "ab\ncd\nq";
    const q = qemu({ mem: 128, kernel: IRQ }, [], input);
    expect(q).toBe("uart_irq: waiting\nintid=033\n[a][b][n]\n[c][d][n]\n[q]\nuart_irq: bye\n");
    const r = cliInput(input, "boot", "--no-xen", "--kernel", IRQ, "-m", "128");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(q);
  });
  it("long piped input arrives whole and in order (one receive FIFO at a time)", () => {
    const input = `${"0123456789abcdefghijklmnopqrstuvwxyz".repeat(3)}\nq`;
    const q = qemu({ mem: 128, kernel: IRQ }, [], input);
    const r = cliInput(input, "boot", "--no-xen", "--kernel", IRQ, "-m", "128");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(q);
  });
  it("a guest idle in WFI with no more input stops with a message", () => {
    const r = cliInput("", "boot", "--no-xen", "--kernel", IRQ, "-m", "128");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("uart_irq: waiting\n");
    expect(r.stderr).toMatch(/waits for an interrupt that can never come/);
  });
  it("on a terminal: raw mode, Ctrl-A h prints help, Ctrl-A x quits", () => {
    const script = spawnSync("sh", ["-c", "command -v script"], { encoding: "utf8" });
    if (script.status !== 0) return; // util-linux script(1) gives us a pty
    const keys = "(sleep 1.5; printf 'ab'; sleep 1; printf '\\001h'; sleep 0.5; printf '\\001x')";
    const cmd = `node ${CLI} boot --no-xen --kernel ${IRQ} -m 128`;
    const r = spawnSync("sh", ["-c", `${keys} | script -qfec "${cmd}" /dev/null`], {
      encoding: "latin1",
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    const out = r.stdout.replace(/\r/g, "");
    expect(out).toContain("intid=033\n[a][b]");
    expect(out).toContain("C-a x    exit emulator");
    expect(out).toContain("hypwasm: terminated");
  });
});

describe("hypwasm boot: bad input", () => {
  function oneLine(r: ReturnType<typeof cli>, re: RegExp): void {
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(re);
  }
  it("missing kernel or initrd file", () => {
    oneLine(
      cli("boot", "--no-xen", "--kernel", join(dir, "nope")),
      /^hypwasm: error: cannot read kernel .*no such file/,
    );
    oneLine(
      cli("boot", "--no-xen", "--kernel", KERNEL, "--initrd", join(dir, "nope")),
      /^hypwasm: error: cannot read initrd .*no such file/,
    );
    // (without --kernel, boot uses the cached Debian images: test/e2e covers that)
  });
  it("truncated zImage and ELF kernels", () => {
    const z = new Uint8Array(0x1000);
    const dv = new DataView(z.buffer);
    dv.setUint32(0x24, 0x016f2818, true);
    dv.setUint32(0x28, 0, true);
    dv.setUint32(0x2c, 0x5000, true); // claims 20 KiB
    const f = join(dir, "trunc.zImage");
    writeFileSync(f, z);
    oneLine(
      cli("boot", "--no-xen", "--kernel", f),
      /^hypwasm: error: kernel zImage is truncated \(4096 of 20480 bytes\)/,
    );
    const tiny = join(dir, "tiny");
    writeFileSync(tiny, "abc");
    oneLine(cli("boot", "--no-xen", "--kernel", tiny), /^hypwasm: error: kernel image is truncated/);
    oneLine(
      cli("boot", "--no-xen", "--kernel", join(ROOT, "fixtures/build/linux_proto.elf")),
      /^hypwasm: error: kernel is an ELF file/,
    );
  });
  it("too little memory", () => {
    const initrd = join(dir, "big.initrd");
    writeFileSync(initrd, new Uint8Array(3 * 1024 * 1024));
    oneLine(
      cli("boot", "--no-xen", "--kernel", KERNEL, "--initrd", initrd, "-m", "4"),
      /initrd .* does not fit in RAM/,
    );
    oneLine(cli("boot", "--no-xen", "--kernel", KERNEL, "-m", "1"), /no room for the device tree/);
  });
  it("Xen boot: options of the other boot, missing or wrong files, too little memory", () => {
    const initrd = join(dir, "dom0.initrd");
    writeFileSync(initrd, "x".repeat(100));
    const xen = fakeXen();
    oneLine(cli("boot", "--kernel", KERNEL), /^hypwasm: error: --kernel: only with --no-xen/);
    oneLine(cli("boot", "--no-xen", "--dom0-args", "x"), /^hypwasm: error: --dom0-args: not with --no-xen/);
    const xenBoot = (...a: string[]) => cli("boot", "--dom0-kernel", KERNEL, "--initrd", initrd, ...a);
    oneLine(
      xenBoot("--xen-image", join(dir, "nope")),
      /^hypwasm: error: cannot read Xen image .*no such file/,
    );
    oneLine(
      xenBoot("--xen-image", KERNEL),
      /^hypwasm: error: the Xen image has no little-endian zImage header/,
    );
    oneLine(
      cli("boot", "--xen-image", xen, "--dom0-kernel", join(dir, "nope"), "--initrd", initrd),
      /^hypwasm: error: cannot read dom0 kernel .*no such file/,
    );
    oneLine(xenBoot("--xen-image", xen, "-m", "256"), /^hypwasm: error: dom0 kernel .* does not fit in RAM/);
  });
});

/** A stand-in for Xen's image: only its zImage header matters to the loader. */
function fakeXen(): string {
  const z = new Uint8Array(0x1000);
  const dv = new DataView(z.buffer);
  dv.setUint32(0x24, 0x016f2818, true);
  dv.setUint32(0x2c, 0x5000, true); // Xen's end includes its BSS: longer than the file
  const f = join(dir, "fakexen.bin");
  writeFileSync(f, z);
  return f;
}

describe("hypwasm boot (Xen): --dump-dtb", () => {
  it("Xen's command line in /chosen, the dom0 modules as guest-loader's, PSCI over SMC", () => {
    const initrd = join(dir, "dom0.initrd");
    writeFileSync(initrd, "y".repeat(1000));
    const out = join(dir, "xen.dtb");
    const r = cli(
      "boot",
      "--xen-image",
      fakeXen(),
      "--dom0-kernel",
      KERNEL,
      "--initrd",
      initrd,
      "--xen-args",
      "dom0_mem=128M",
      "--dom0-args",
      "console=hvc0 quiet",
      "--dump-dtb",
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    const dts = execFileSync("dtc", ["-q", "-I", "dtb", "-O", "dts", out], { encoding: "utf8" });
    expect(dts).toContain('bootargs = "dom0_mem=128M";');
    expect(dts).toContain('method = "smc";');
    const kernelSize = readFileSync(KERNEL).length;
    expect(dts).toMatch(
      new RegExp(
        `module@0x50000000 \\{\\s*reg = <0x00 0x50000000 0x00 0x${kernelSize.toString(16)}>;\\s*` +
          'compatible = "multiboot,module\\\\0multiboot,kernel";\\s*bootargs = "console=hvc0 quiet";',
      ),
    );
    expect(dts).toMatch(
      /module@0x51000000 \{\s*reg = <0x00 0x51000000 0x00 0x3e8>;\s*compatible = "multiboot,module\\0multiboot,ramdisk";/,
    );
  });
});
