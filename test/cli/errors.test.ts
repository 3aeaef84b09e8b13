// Bad input gets one clear error line and a non-zero exit, never a stack trace.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { QEMU, QEMU_BAREMETAL_ARGS } from "../../src/difftest/run.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync("node", [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
const dir = mkdtempSync(join(tmpdir(), "hypwasm-cli-"));

function expectOneLineError(r: ReturnType<typeof run>, pattern: RegExp): void {
  expect(r.status).not.toBe(0);
  expect(r.status).not.toBeNull();
  const lines = r.stderr.trim().split("\n");
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("hypwasm run: bad input", () => {
  it("missing image", () => {
    expectOneLineError(
      run("run", join(dir, "nope.elf")),
      /^hypwasm: error: cannot read image .*no such file/,
    );
  });
  it("unknown option", () => {
    expectOneLineError(run("run", "--frobnicate", "x"), /unknown option '--frobnicate'/);
  });
  it("bad --mem", () => {
    expectOneLineError(run("run", "--mem", "lots", "x"), /--mem must be an integer/);
  });
  it("truncated ELF", () => {
    const f = join(dir, "trunc.elf");
    writeFileSync(f, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]));
    expectOneLineError(run("run", f), /^hypwasm: error: .*truncated ELF header/);
  });
  it("ELF for another machine", () => {
    const f = join(dir, "x86.elf");
    const b = Buffer.alloc(64);
    b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    b.writeUInt16LE(3, 18); // EM_386
    writeFileSync(f, b);
    expectOneLineError(run("run", f), /^hypwasm: error: .*not ARM/);
  });
  it("image larger than RAM", () => {
    const f = join(dir, "big.bin");
    writeFileSync(f, Buffer.alloc(3 * 1024 * 1024));
    expectOneLineError(run("run", "-m", "2", f), /^hypwasm: error: .*does not fit in RAM/);
  });
  it("empty file", () => {
    const f = join(dir, "empty.bin");
    writeFileSync(f, Buffer.alloc(0));
    expectOneLineError(run("run", f), /^hypwasm: error: .*too small/);
  });
});

describe("hypwasm run: guest exit status", () => {
  it("hello fixture prints and exits 0, like QEMU", () => {
    const elf = new URL("../../fixtures/build/hello.elf", import.meta.url).pathname;
    const r = run("run", "--semihosting", elf);
    expect(r.stdout).toBe("Hello from a Cortex-A15 guest\n");
    expect(r.status).toBe(0);
    const q = spawnSync(QEMU, [...QEMU_BAREMETAL_ARGS, elf], { encoding: "utf8", timeout: 60_000 });
    expect(r.stdout).toBe(q.stdout);
    expect(r.status).toBe(q.status);
  });
});
