// Kernel image loading as `qemu-system-arm -M virt -kernel` does it: ELF images are
// loaded by their program headers and entered at e_entry; anything else is a Linux
// image (zImage or raw Image) loaded at RAM + 0x10000 and entered with the Linux boot
// protocol registers (r0 = 0, r1 = ~0, r2 = device tree).

import type { Bus } from "../mem/bus.js";

export class ImageError extends Error {}

export interface LoadedImage {
  kind: "elf" | "zimage" | "raw";
  entry: number;
  /** Linux boot protocol: pass r0/r1/r2. */
  linux: boolean;
  /** Highest byte address used by the image. */
  end: number;
}

const ZIMAGE_MAGIC = 0x016f2818;
export const KERNEL_OFFSET = 0x10000;

export function loadImage(bus: Bus, data: Uint8Array): LoadedImage {
  if (data.length < 4) throw new ImageError("image is too small to be a kernel");
  if (data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46) return loadElf(bus, data);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const isZ = data.length >= 0x30 && dv.getUint32(0x24, true) === ZIMAGE_MAGIC;
  const base = bus.ramBase + KERNEL_OFFSET;
  if (base + data.length > bus.ramBase + bus.ramSize)
    throw new ImageError(`image (${data.length} bytes) does not fit in RAM`);
  bus.load(base, data);
  return { kind: isZ ? "zimage" : "raw", entry: base, linux: true, end: base + data.length };
}

function loadElf(bus: Bus, data: Uint8Array): LoadedImage {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 52) throw new ImageError("truncated ELF header");
  if (data[4] !== 1) throw new ImageError("not a 32-bit ELF (ELFCLASS32 expected)");
  if (data[5] !== 1) throw new ImageError("big-endian ELF images are not supported");
  const machine = dv.getUint16(18, true);
  if (machine !== 40) throw new ImageError(`ELF machine ${machine} is not ARM (40)`);
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  if (phoff + phnum * phentsize > data.length) throw new ImageError("truncated ELF program headers");
  let end = 0;
  let loaded = 0;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (dv.getUint32(o, true) !== 1) continue; // PT_LOAD
    const offset = dv.getUint32(o + 4, true);
    const paddr = dv.getUint32(o + 12, true);
    const filesz = dv.getUint32(o + 16, true);
    const memsz = dv.getUint32(o + 20, true);
    if (offset + filesz > data.length) throw new ImageError("truncated ELF segment");
    try {
      bus.load(paddr, data.subarray(offset, offset + filesz));
      if (memsz > filesz) bus.load(paddr + filesz, new Uint8Array(memsz - filesz));
    } catch (e) {
      throw new ImageError((e as Error).message);
    }
    end = Math.max(end, paddr + memsz);
    loaded++;
  }
  if (!loaded) throw new ImageError("ELF image has no loadable segments");
  return { kind: "elf", entry, linux: false, end };
}
