import { fmix32, splitmix32 } from '../split/hash.js';

/**
 * Small deterministic PRNG (splitmix32 stream: state += golden ratio, output fmix32(state)),
 * the same generator as the AssemblyScript kernels use for shuffles. Not cryptographic.
 */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = splitmix32(seed >>> 0);
  }

  /** Next uint32. */
  nextU32(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    return fmix32(this.s);
  }

  /** Uniform in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n) (multiply-shift, n < 2^32). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = (this.nextU32() + 0.5) / 4294967296;
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** k distinct integers from [0, n) in random order (partial Fisher–Yates). */
  sample(n: number, k: number): Int32Array {
    const a = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a.slice(0, k);
  }
}

/** Derives the seed of sub-run `i` (an init, a tree, an epoch) from a user seed. */
export function subSeed(seed: number, i: number): number {
  return splitmix32((seed >>> 0) ^ splitmix32(i + 1));
}
