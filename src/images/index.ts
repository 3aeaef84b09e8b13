// Guest images: the Debian armhf image cache (fetch.ts), the newc cpio writer (cpio.ts)
// and the busybox initramfs builder (initramfs.ts).
export * from "./cpio.js";
export * from "./fetch.js";
export * from "./initramfs.js";
