import { sharedArena } from '../wasm/runtime.js';

/**
 * Sum of a Float32Array by one streaming SIMD pass inside the wasm module (assembly/reduce.ts).
 * Its time over data already in wasm memory is the memory-bandwidth floor of an epoch; returns
 * the sum and the seconds spent in the pass alone (excluding the copy into wasm memory).
 */
export function sumPass(values: Float32Array, repeats = 1): { sum: number; seconds: number } {
  return sharedArena().scoped((a) => {
    const p = a.putF32(values);
    let sum = a.k.sumF32(p, values.length); // warm-up: touch the pages once
    let best = Infinity;
    for (let r = 0; r < Math.max(1, repeats); r++) {
      const t0 = performance.now();
      sum = a.k.sumF32(p, values.length);
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return { sum, seconds: best };
  });
}
