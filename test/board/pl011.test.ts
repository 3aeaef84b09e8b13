// PL011 UART and PL031 RTC register behaviour (PL011 TRM DDI 0183, PL031 TRM DDI 0224).
import { describe, expect, it } from "vitest";
import { FR, INT, Pl011, UART } from "../../src/board/devices/pl011.js";
import { DEFAULT_RTC_EPOCH, Pl031, RTC } from "../../src/board/devices/pl031.js";

function uart() {
  const out: number[] = [];
  const levels: [number, boolean][] = [];
  const u = new Pl011({
    base: 0x09000000,
    intid: 33,
    output: (b) => out.push(b),
    setLevel: (i, l) => levels.push([i, l]),
  });
  return { u, out, levels };
}
const FEN = 1 << 4;

describe("PL011", () => {
  it("reset values and ID registers", () => {
    const { u } = uart();
    expect(u.read(UART.FR, 4)).toBe(FR.TXFE | FR.RXFE);
    expect(u.read(UART.CR, 4)).toBe(0x300);
    expect(u.read(UART.IFLS, 4)).toBe(0x12);
    expect(u.read(UART.IMSC, 4)).toBe(0);
    expect(u.read(UART.RIS, 4)).toBe(0);
    expect(u.read(UART.LCR_H, 4)).toBe(0);
    const id = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => u.read(o, 4));
    expect(id).toEqual([0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });

  it("control registers read back (masked to their widths)", () => {
    const { u } = uart();
    u.write(UART.IBRD, 4, 0x12345);
    u.write(UART.FBRD, 4, 0xff);
    u.write(UART.LCR_H, 4, 0x170);
    u.write(UART.CR, 4, 0x10301);
    u.write(UART.IFLS, 4, 0xff);
    u.write(UART.DMACR, 4, 0xff);
    expect(u.read(UART.IBRD, 4)).toBe(0x2345);
    expect(u.read(UART.FBRD, 4)).toBe(0x3f);
    expect(u.read(UART.LCR_H, 4)).toBe(0x70);
    expect(u.read(UART.CR, 4)).toBe(0x0301);
    expect(u.read(UART.IFLS, 4)).toBe(0x3f);
    expect(u.read(UART.DMACR, 4)).toBe(7);
  });

  it("transmits, raises TX, and ICR clears it; the line follows RIS & IMSC", () => {
    const { u, out, levels } = uart();
    u.write(UART.DR, 4, 0x141); // only the low 8 bits are data
    expect(out).toEqual([0x41]);
    expect(u.read(UART.RIS, 4)).toBe(INT.TX);
    expect(u.read(UART.MIS, 4)).toBe(0);
    expect(levels).toEqual([]);
    u.write(UART.IMSC, 4, INT.TX);
    expect(u.read(UART.MIS, 4)).toBe(INT.TX);
    expect(levels).toEqual([[33, true]]);
    u.write(UART.ICR, 4, INT.TX);
    expect(u.read(UART.RIS, 4)).toBe(0);
    expect(levels).toEqual([
      [33, true],
      [33, false],
    ]);
    expect(u.irq).toBe(false);
  });

  it("without FIFOs holds one byte: RXFF, RX interrupt per byte, the rest waits", () => {
    const { u } = uart();
    u.write(UART.IMSC, 4, INT.RX | INT.RT);
    u.receive([0x61, 0x62]);
    expect(u.read(UART.FR, 4) & (FR.RXFE | FR.RXFF)).toBe(FR.RXFF);
    expect(u.read(UART.RIS, 4) & INT.RX).toBe(INT.RX);
    expect(u.irq).toBe(true);
    expect(u.read(UART.DR, 4)).toBe(0x61);
    expect(u.read(UART.FR, 4) & FR.RXFF).toBe(FR.RXFF); // the next byte moved in
    expect(u.read(UART.DR, 4)).toBe(0x62);
    expect(u.read(UART.FR, 4) & FR.RXFE).toBe(FR.RXFE);
    expect(u.read(UART.RIS, 4) & (INT.RX | INT.RT)).toBe(0);
    expect(u.irq).toBe(false);
    expect(u.pendingInput).toBe(0);
  });

  it("FIFO mode: 16 entries, trigger level from IFLS, timeout when the line goes idle", () => {
    const { u } = uart();
    u.write(UART.LCR_H, 4, FEN | 0x60);
    u.write(UART.IFLS, 4, 2 << 3); // RX trigger at 1/2 = 8 entries
    u.write(UART.IMSC, 4, INT.RX | INT.RT);
    // 3 bytes: below the trigger, line idle -> receive timeout only
    u.receive([1, 2, 3]);
    expect(u.read(UART.RIS, 4) & (INT.RX | INT.RT)).toBe(INT.RT);
    expect(u.irq).toBe(true);
    // ICR clears the timeout while data remains
    u.write(UART.ICR, 4, INT.RT);
    expect(u.irq).toBe(false);
    for (const b of [1, 2, 3]) expect(u.read(UART.DR, 4)).toBe(b);
    // 20 bytes: FIFO full (RXFF), 4 wait on the host side, RX raised (>= 8)
    u.receive(Array.from({ length: 20 }, (_, i) => 0x40 + i));
    expect(u.read(UART.FR, 4) & (FR.RXFF | FR.RXFE)).toBe(FR.RXFF);
    expect(u.pendingInput).toBe(20);
    expect(u.read(UART.RIS, 4) & INT.RX).toBe(INT.RX);
    // read down: RX stays while >= 8 entries, then clears
    const got: number[] = [];
    while (u.read(UART.RIS, 4) & INT.RX) got.push(u.read(UART.DR, 4));
    // 20 bytes total; RX drops when fewer than 8 remain: 13 read, 7 left
    expect(got.length).toBe(13);
    expect(u.pendingInput).toBe(7);
    expect(u.read(UART.RIS, 4) & INT.RT).toBe(INT.RT); // the host queue drained: line idle
    while (!(u.read(UART.FR, 4) & FR.RXFE)) got.push(u.read(UART.DR, 4));
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => 0x40 + i));
    expect(u.read(UART.RIS, 4) & (INT.RX | INT.RT)).toBe(0);
    expect(u.irq).toBe(false);
  });

  it("IFLS trigger levels 1/8 .. 7/8", () => {
    const levels = [2, 4, 8, 12, 14];
    levels.forEach((lvl, sel) => {
      const { u } = uart();
      u.write(UART.LCR_H, 4, FEN);
      u.write(UART.IFLS, 4, sel << 3);
      u.receive(new Array(lvl - 1).fill(0x55));
      expect(u.read(UART.RIS, 4) & INT.RX).toBe(0);
      u.receive([0x55]);
      expect(u.read(UART.RIS, 4) & INT.RX).toBe(INT.RX);
    });
  });

  it("turning FIFOs off keeps the excess bytes (no loss)", () => {
    const { u } = uart();
    u.write(UART.LCR_H, 4, FEN);
    u.receive([1, 2, 3]);
    u.write(UART.LCR_H, 4, 0);
    expect(u.pendingInput).toBe(3);
    expect([u.read(UART.DR, 4), u.read(UART.DR, 4), u.read(UART.DR, 4)]).toEqual([1, 2, 3]);
  });
});

describe("PL031", () => {
  function rtc(epoch?: number) {
    let t = 0;
    const levels: boolean[] = [];
    const schedules: number[] = [];
    const r = new Pl031({
      base: 0x09010000,
      intid: 34,
      setLevel: (_i, l) => levels.push(l),
      now: () => t,
      epoch,
      schedule: (s) => schedules.push(s),
    });
    return { r, levels, schedules, at: (s: number) => (t = s) };
  }

  it("counts whole seconds of virtual time from a fixed epoch; LR reloads", () => {
    const { r, at } = rtc();
    expect(r.read(RTC.DR, 4) >>> 0).toBe(DEFAULT_RTC_EPOCH);
    at(2.999);
    expect(r.read(RTC.DR, 4) >>> 0).toBe(DEFAULT_RTC_EPOCH + 2);
    r.write(RTC.LR, 4, 1000);
    expect(r.read(RTC.DR, 4)).toBe(1000);
    expect(r.read(RTC.LR, 4)).toBe(1000);
    at(4);
    expect(r.read(RTC.DR, 4)).toBe(1001);
    expect(r.read(RTC.CR, 4)).toBe(1);
    const id = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => r.read(o, 4));
    expect(id).toEqual([0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });

  it("match interrupt: scheduled while unmasked, raised when the counter reaches MR", () => {
    const { r, levels, schedules, at } = rtc(100);
    r.write(RTC.MR, 4, 105);
    expect(schedules).toEqual([]); // masked: no deadline
    r.write(RTC.IMSC, 4, 1);
    expect(schedules).toEqual([5]);
    at(4.5);
    r.poll();
    expect(r.read(RTC.RIS, 4)).toBe(0);
    at(7); // skipped past the match second: still raised
    r.onDeadline();
    expect(r.read(RTC.RIS, 4)).toBe(1);
    expect(r.read(RTC.MIS, 4)).toBe(1);
    expect(levels).toEqual([true]);
    r.write(RTC.ICR, 4, 1);
    expect(r.read(RTC.RIS, 4)).toBe(0);
    expect(levels).toEqual([true, false]);
  });
});
