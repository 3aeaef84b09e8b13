// A small seeded PRNG (sfc32 seeded through splitmix32): fast, reproducible, 32-bit.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned value. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x100000000) * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** `bits` random bits. */
  bits(bits: number): number {
    return bits >= 32 ? this.u32() : this.u32() >>> (32 - bits);
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** An "interesting" 32-bit value: edge cases, small numbers, or uniform. */
  interesting32(): number {
    switch (this.int(8)) {
      case 0:
        return this.pick([0, 1, 2, 0xffffffff, 0x80000000, 0x7fffffff, 0x80000001, 0xfffffffe, 31, 32, 33]);
      case 1:
        return this.int(64);
      case 2:
        return -this.int(64) >>> 0;
      case 3:
        return (1 << this.int(32)) >>> 0;
      case 4:
        return this.int(0x10000);
      default:
        return this.u32();
    }
  }
}
