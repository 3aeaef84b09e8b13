// `hypwasm boot --no-xen`: boot a Linux kernel on the virt board with the Linux boot
// protocol, the console on the PL011.
//
// Console modes:
//   - interactive (stdin is a TTY, no --cmd): the terminal in raw mode, keys go to the
//     UART; as with qemu -nographic, Ctrl-A x quits, Ctrl-A h prints help, Ctrl-A Ctrl-A
//     sends one Ctrl-A;
//   - piped (stdin not a TTY, no --cmd): stdin bytes go to the UART as they come;
//   - scripted (--cmd "..."): when the shell prompt appeared (some console output ended
//     in "# " or "$ ") and the guest then printed nothing for a while, the commands are typed
//     as one line; at the next prompt `poweroff -f` is typed, and the run ends when the
//     guest powers off (PSCI SYSTEM_OFF) or POWEROFF_GRACE instructions later.
// The console is copied to stdout in all modes.

import { readFileSync, writeFileSync } from "node:fs";
import { decodeFdt, encodeFdt, FdtError } from "../board/fdt.js";
import { applyChosen, VIRT_FDT_SIZE, VirtBoard } from "../board/virt.js";
import { FetchError, fetchImages, imagePath } from "../images/fetch.js";
import { bootLinux, inspectKernel, LinuxBootError, linuxLayout } from "../loader/linux.js";

export interface BootCliOptions {
  xen: boolean;
  kernel?: string;
  initrd?: string;
  append?: string;
  mem: number;
  dtb?: string;
  dumpDtb?: string;
  cmd?: string;
  maxInsns?: number;
  rtc?: string;
  stats?: boolean;
}

class BootFail extends Error {}

/** Instructions per run slice between console/device/input work. */
const SLICE = 200_000;
/** Quiet slices (no console output) before a prompt at the end of the output counts. */
const PROMPT_QUIET_SLICES = 2;
/** Instructions allowed after `poweroff -f` before we stop anyway. */
const POWEROFF_GRACE = 2_000_000_000;
// A shell prompt at the end of the output; busybox ash may follow it with a cursor
// position query (ESC [ 6 n) when the console looks like a terminal.
const PROMPT_RE = new RegExp(`[#$] (${String.fromCharCode(27)}\\[6n)?$`);

function readInput(what: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new BootFail(
      `cannot read ${what} '${path}': ${err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory" : err.message}`,
    );
  }
}

function parseRtc(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === "host") return Math.floor(Date.now() / 1000);
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new BootFail(`--rtc: expected 'host' or seconds since 1970, got '${v}'`);
  return n;
}

/** Run the boot command; returns the process exit code. */
export async function bootMain(o: BootCliOptions): Promise<number> {
  try {
    return await boot(o);
  } catch (e) {
    if (e instanceof BootFail || e instanceof LinuxBootError || e instanceof FdtError) {
      process.stderr.write(`hypwasm: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

async function boot(o: BootCliOptions): Promise<number> {
  if (o.xen)
    throw new BootFail("booting through Xen is not implemented yet; pass --no-xen to boot Linux directly");
  if (o.mem > 3072) throw new BootFail("--mem: at most 3072 MiB (RAM window 0x40000000-0xffffffff)");
  if (!o.kernel && !o.dumpDtb) {
    // The default guest: Debian's armmp-lpae kernel and our busybox initramfs, fetched
    // into the image cache on first use.
    try {
      fetchImages({ log: (l) => process.stderr.write(`hypwasm: ${l}\n`) });
      o.kernel = imagePath("lpae");
      o.initrd ??= imagePath("initramfs");
      o.append ??= "console=ttyAMA0";
    } catch (e) {
      if (e instanceof FetchError) throw new BootFail(e.message);
      throw e;
    }
  }
  const kernel = o.kernel ? readInput("kernel", o.kernel) : undefined;
  const initrd = o.initrd ? readInput("initrd", o.initrd) : undefined;
  const userDtb = o.dtb ? readInput("device tree", o.dtb) : undefined;
  const rtcEpoch = parseRtc(o.rtc);

  const out: number[] = [];
  const board = new VirtBoard({ memMiB: o.mem, console: (b) => out.push(b), rtcEpoch });
  // Interrupt controller: the GIC (runtime/gic.ts) is wired here when it lands:
  // board.connectIrq((intid, level) => gic.setLevel(intid, level)).

  const makeDtb = (initrdRange?: { start: number; end: number }): Uint8Array => {
    const chosen = { bootargs: o.append || undefined, initrd: initrdRange };
    if (userDtb) {
      const blob = decodeFdt(userDtb);
      applyChosen(blob.root.child("chosen"), chosen);
      return encodeFdt(blob.root, {
        memReserve: blob.memReserve,
        bootCpuId: blob.bootCpuId,
        minSize: new DataView(userDtb.buffer, userDtb.byteOffset).getUint32(4),
      });
    }
    return encodeFdt(board.deviceTree(chosen), { minSize: VIRT_FDT_SIZE });
  };
  const initrdRange = (l: { initrdStart: number; initrdEnd: number }) =>
    initrd?.length ? { start: l.initrdStart, end: l.initrdEnd } : undefined;

  if (o.dumpDtb) {
    let dtb: Uint8Array;
    if (kernel) {
      const size = makeDtb().length;
      const l = linuxLayout(
        board.ramBase,
        board.ramSize,
        inspectKernel(kernel).size,
        initrd?.length ?? 0,
        size,
      );
      dtb = makeDtb(initrdRange(l));
    } else if (initrd?.length) {
      const l = linuxLayout(board.ramBase, board.ramSize, 0, initrd.length, makeDtb().length);
      dtb = makeDtb(initrdRange(l));
    } else dtb = makeDtb();
    try {
      writeFileSync(o.dumpDtb, dtb);
    } catch (e) {
      throw new BootFail(`cannot write '${o.dumpDtb}': ${(e as Error).message}`);
    }
    process.stderr.write(`hypwasm: device tree written to ${o.dumpDtb}\n`);
    return 0;
  }

  const m = board.machine;
  bootLinux(m.bus, m.cpu, { kernel: kernel!, initrd, dtb: (l) => makeDtb(initrdRange(l)) });

  const console = new ConsoleDriver(board, o.cmd);
  const t0 = performance.now();
  let stopped: "halt" | "max" | "quit" | "grace" | "idle" = "halt";
  try {
    let steps = 0;
    for (;;) {
      if (m.interp.idleHalt) {
        // The guest waits for an interrupt that only the host side can cause (input).
        m.interp.idleHalt = false;
        m.cpu.halted = false;
        if (!(await console.idle(m.cpu.icount))) {
          stopped = console.quitting ? "quit" : "idle";
          break;
        }
      }
      if (m.cpu.halted) break;
      if (o.maxInsns !== undefined && steps >= o.maxInsns) {
        stopped = "max";
        break;
      }
      const n = o.maxInsns !== undefined ? Math.min(SLICE, o.maxInsns - steps) : SLICE;
      steps += m.interp.run(n);
      board.poll();
      const wrote = out.length > 0;
      if (wrote) {
        console.output(Uint8Array.from(out));
        out.length = 0;
      }
      const s = console.afterSlice(wrote, m.cpu.icount);
      if (s) {
        stopped = s;
        break;
      }
      if (console.needsEvents) await new Promise((r) => setImmediate(r));
    }
  } finally {
    console.close();
  }
  const ms = performance.now() - t0;
  if (o.stats) {
    const n = m.cpu.icount;
    process.stderr.write(
      `hypwasm: ${n} instructions in ${ms.toFixed(1)} ms (${(n / ms / 1000).toFixed(1)} MIPS)\n`,
    );
  }
  if (stopped === "max") {
    process.stderr.write(`\nhypwasm: stopped after ${m.cpu.icount} instructions (--max-insns)\n`);
    return 3;
  }
  if (stopped === "grace") {
    process.stderr.write("\nhypwasm: the guest did not power off after `poweroff -f`; stopped\n");
    return 0;
  }
  if (stopped === "quit") return 0;
  if (stopped === "idle") {
    process.stderr.write("\nhypwasm: the guest waits for an interrupt that can never come; stopped\n");
    return 0;
  }
  return m.cpu.exitCode;
}

/** The host side of the PL011: terminal, pipe or script. */
class ConsoleDriver {
  /** True when stdin events must be able to run between slices. */
  readonly needsEvents: boolean;
  private raw = false;
  private escape = false;
  private quit = false;
  private tail = "";
  private sawPrompt = false;
  private quiet = 0;
  private phase: "wait-prompt" | "wait-result" | "poweroff" = "wait-prompt";
  private poweroffAt = 0;
  private readonly onData = (d: Buffer) => {
    this.input(d);
    this.wake?.();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.wake?.();
  };
  /** stdin reached its end. */
  private ended = false;
  /** Set when a scripted line was typed (idle() reports progress with it). */
  private typed = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly board: VirtBoard,
    private readonly cmd: string | undefined,
  ) {
    const stdin = process.stdin;
    this.needsEvents = cmd === undefined;
    if (cmd === undefined) {
      if (stdin.isTTY) {
        stdin.setRawMode(true);
        this.raw = true;
      }
      stdin.on("data", this.onData);
      stdin.on("end", this.onEnd);
      stdin.on("close", this.onEnd);
      stdin.resume();
    }
  }

  output(bytes: Uint8Array): void {
    process.stdout.write(bytes);
    if (this.cmd === undefined) return;
    this.tail = (this.tail + Buffer.from(bytes).toString("latin1")).slice(-256);
    // A prompt ended some output: kernel messages printed after it do not hide it.
    if (PROMPT_RE.test(this.tail)) this.sawPrompt = true;
  }

  /**
   * The guest is idle with no event ahead: wait for host input (interactive, piped), or
   * type the next scripted line. False: nothing can wake the guest any more.
   */
  async idle(icount: number): Promise<boolean> {
    if (this.cmd !== undefined) {
      if (this.phase === "poweroff") return false;
      this.quiet = PROMPT_QUIET_SLICES;
      this.typed = false;
      this.afterSlice(false, icount);
      return this.typed;
    }
    if (this.quit || this.ended) return false;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    this.wake = null;
    return !this.quit;
  }

  /** The user asked to quit (Ctrl-A x). */
  get quitting(): boolean {
    return this.quit;
  }

  /** Called after each slice; returns a reason to stop, if any. */
  afterSlice(wrote: boolean, icount: number): "quit" | "grace" | undefined {
    if (this.quit) return "quit";
    if (this.cmd === undefined) return undefined;
    this.quiet = wrote ? 0 : this.quiet + 1;
    if (this.phase === "poweroff") return icount - this.poweroffAt > POWEROFF_GRACE ? "grace" : undefined;
    if (this.quiet < PROMPT_QUIET_SLICES || !this.sawPrompt) return undefined;
    if (this.phase === "wait-prompt") {
      this.type(`${this.cmd}\n`);
      this.phase = "wait-result";
    } else {
      this.type("poweroff -f\n");
      this.phase = "poweroff";
      this.poweroffAt = icount;
    }
    return undefined;
  }

  private type(s: string): void {
    this.typed = true;
    this.tail = "";
    this.sawPrompt = false;
    this.quiet = 0;
    this.board.uart.receive(Buffer.from(s, "utf8"));
  }

  private input(d: Buffer): void {
    if (!this.raw) {
      this.board.uart.receive(d);
      return;
    }
    const pass: number[] = [];
    for (const b of d) {
      if (this.escape) {
        this.escape = false;
        if (b === 0x78 || b === 0x58) {
          this.quit = true;
          process.stderr.write("\nhypwasm: terminated\n"); // the TTY keeps ONLCR in raw mode
        } else if (b === 0x68 || b === 0x48) {
          process.stderr.write("\nC-a h    print this help\nC-a x    exit emulator\nC-a C-a  sends C-a\n");
        } else if (b === 0x01) pass.push(0x01);
        continue;
      }
      if (b === 0x01) this.escape = true;
      else pass.push(b);
    }
    if (pass.length) this.board.uart.receive(pass);
  }

  close(): void {
    if (this.cmd !== undefined) return;
    const stdin = process.stdin;
    stdin.off("data", this.onData);
    stdin.off("end", this.onEnd);
    stdin.off("close", this.onEnd);
    if (this.raw) stdin.setRawMode(false);
    stdin.destroy(); // nothing more to read; must not keep the process alive
  }
}
