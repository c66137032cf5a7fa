import { WASM_BASE64 } from '../generated/wasm.js';
import { KernelError } from '../errors.js';

/** The subset of the WebAssembly JS API used here (typed locally: the repo's lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Raw exports of kernels.wasm (see packages/kernels/assembly/). Pointers are byte offsets. */
export interface KernelExports {
  memory: WasmMemory;
  heapBase(): number;
  logisticLossGrad(xp: number, yp: number, wp: number, gp: number, sp: number, n: number, d: number, k: number): number;
  linearScores(xp: number, wp: number, outp: number, n: number, d: number, k: number): void;
  adamEpoch(
    xp: number, yp: number, wp: number, mp: number, vp: number, gp: number, ip: number, sp: number,
    n: number, d: number, k: number, lr: number, l2: number, batch: number, seed: number, t0: number,
    beta1: number, beta2: number, eps: number,
  ): number;
  shuffleRows(xp: number, yp: number, n: number, d: number, seed: number, ip: number, xs: number, ys: number): void;
  gramAccumulate(xp: number, yp: number, n: number, d: number, gp: number, scratch: number): void;
  columnStats(vp: number, mp: number, n: number, outp: number): void;
  scaleColumn(vp: number, mp: number, n: number, mean: number, invScale: number, outp: number): void;
  fillMissing(vp: number, mp: number, n: number, fill: number, outp: number): void;
  sumF32(xp: number, n: number): number;
  // probability heads (assembly/proba.ts)
  sigmoidPairs(sp: number, n: number, outp: number): void;
  softmaxRows(sp: number, n: number, k: number, outp: number): void;
  // Gaussian naive Bayes (assembly/naive-bayes.ts)
  gnbMoments(xp: number, yp: number, n: number, d: number, k: number, countp: number, thetap: number, varp: number, gmeanp: number, gvarp: number): void;
  gnbJointLogLik(xp: number, n: number, d: number, k: number, priorp: number, thetap: number, varp: number, scratchp: number, outp: number): void;
  firstNonFiniteF32(xp: number, n: number): number;
  // k-means (assembly/kmeans.ts)
  rowSqNorms(xp: number, n: number, d: number, outp: number): void;
  kmeansppPotential(xp: number, xnp: number, n: number, d: number, cp: number, closestp: number, write: number): number;
  kmeansLloyd(
    xp: number, xnp: number, n: number, d: number, cp: number, k: number, ctp: number, cnp: number,
    labelsp: number, sumsp: number, countsp: number, partp: number, changedp: number,
  ): number;
  columnVarianceSum(xp: number, n: number, d: number, meanp: number): number;
  kmeansInertia(xp: number, n: number, d: number, cp: number, labelsp: number): number;
  // trees (assembly/tree.ts)
  binMatrix(xp: number, n: number, d: number, edgesp: number, nEdgesp: number, firstBinp: number, outp: number, codeBytes: number): void;
  histPairs(binsp: number, d: number, offp: number, totalBins: number, rowsp: number, cnt: number, statp: number, histp: number): void;
  histPairsF32(binsp: number, d: number, offp: number, totalBins: number, rowsp: number, cnt: number, statp: number, histp: number, codeBytes: number): void;
  histClasses(binsp: number, d: number, offp: number, totalBins: number, rowsp: number, cnt: number, yp: number, wp: number, k: number, histp: number): void;
  histSub(ap: number, bp: number, outp: number, m: number): void;
  partitionRows(binsp: number, d: number, rowsp: number, cnt: number, f: number, thrBin: number, missingLeft: number, scratchp: number, codeBytes: number): number;
  treeApply(xp: number, n: number, d: number, nodesp: number, thrp: number, outp: number): void;
  treeApplyBinned(binsp: number, n: number, d: number, nodesp: number, outp: number, codeBytes: number): void;
  addLeafValues(leafp: number, n: number, valuep: number, marginp: number, stride: number, offset: number): void;
  addToRows(rowsp: number, cnt: number, marginp: number, stride: number, offset: number, value: number): void;
  boostGradients(marginp: number, yp: number, n: number, k: number, objective: number, cls: number, statp: number): number;
  // quantile sketch (assembly/sketch.ts)
  sketchColumn(colp: number, n: number, limit: number, maxLevels: number, workp: number, numCuts: number, finalSize: number, outp: number): number;
  // MLP (assembly/mlp.ts)
  mlpForward(xp: number, n: number, sizesp: number, nLayers: number, paramsp: number, act: number, outAct: number, scratchp: number, outp: number): void;
  mlpEpoch(
    xp: number, yp: number, n: number, ip: number, shuffle: number, seed: number,
    sizesp: number, nLayers: number, paramsp: number, mp: number, vp: number, gp: number, nParams: number,
    actp: number, workp: number, maxWidth: number, act: number, outAct: number,
    lr: number, alpha: number, batch: number, t0: number, beta1: number, beta2: number, eps: number,
  ): number;
}

const PAGE_BYTES = 65536;
let moduleCache: object | null = null;

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function instantiate(): KernelExports {
  try {
    if (!WA) throw new Error('no WebAssembly in this JavaScript engine');
    moduleCache ??= new WA.Module(decodeBase64(WASM_BASE64));
    const inst = new WA.Instance(moduleCache, {
      env: {
        abort: () => {
          throw new Error('wasm abort');
        },
      },
    });
    return inst.exports as unknown as KernelExports;
  } catch (e) {
    throw new KernelError('WASM_UNAVAILABLE', `cannot instantiate kernels.wasm (needs WebAssembly SIMD): ${(e as Error).message}`);
  }
}

/**
 * A kernels.wasm instance plus a stack arena over its linear memory. Allocations are
 * 16-byte aligned; `release(mark)` frees everything allocated after `mark()`. Views must be
 * re-created after any allocation because growing memory detaches old ArrayBuffers: use
 * `f64(ptr, n)` etc. right before reading or writing.
 *
 * Synchronous code shares one arena (`sharedArena()`); work that yields to the event loop
 * between steps (async fits) takes a private one (`Arena.create()`) so interleaved jobs
 * cannot free each other's memory. The compiled module is shared; instantiation is synchronous.
 */
export class Arena {
  readonly k: KernelExports;
  private top: number;

  private constructor(k: KernelExports) {
    this.k = k;
    this.top = (k.heapBase() + 15) & ~15;
  }

  /** A new private instance with its own memory. Throws `WASM_UNAVAILABLE` without SIMD. */
  static create(): Arena {
    return new Arena(instantiate());
  }

  /**
   * A private arena from a small pool of idle ones (else a new one): its linear memory is
   * already grown and paged in, so a fit does not pay page faults again. Give it back with
   * `dispose()` when the work is done (the arena must not be used afterwards).
   */
  static acquire(): Arena {
    return idlePool.pop() ?? Arena.create();
  }

  /** Returns an `acquire`d arena to the pool (everything in it is freed). Idempotent. */
  dispose(): void {
    this.top = (this.k.heapBase() + 15) & ~15;
    if (!idlePool.includes(this) && idlePool.length < MAX_IDLE) idlePool.push(this);
  }

  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /** Allocates `bytes` bytes (uninitialised); returns a byte pointer. */
  alloc(bytes: number): number {
    const ptr = this.top;
    const end = ptr + ((bytes + 15) & ~15);
    const have = this.k.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE_BYTES);
      try {
        this.k.memory.grow(pages);
      } catch (e) {
        throw new KernelError('INVALID_INPUT', `wasm memory cannot grow to ${end} bytes: ${(e as Error).message}`);
      }
    }
    this.top = end;
    return ptr;
  }

  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, n);
  }
  f64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, ptr, n);
  }
  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.k.memory.buffer, ptr, n);
  }
  u8(ptr: number, n: number): Uint8Array {
    return new Uint8Array(this.k.memory.buffer, ptr, n);
  }

  /** Allocates and copies values in as float32. */
  putF32(a: ArrayLike<number>): number {
    const p = this.alloc(a.length * 4);
    this.f32(p, a.length).set(a);
    return p;
  }
  /**
   * Allocates and copies float32 values in, validating them on the way: the copy runs in
   * chunks that a wasm SIMD scan checks while they are still in cache (one memory pass).
   * Returns the pointer, or -(1 + index) of the first non-finite value (nothing is freed).
   */
  putF32Finite(a: Float32Array): number {
    const p = this.alloc(a.length * 4);
    const dst = this.f32(p, a.length);
    const CH = 1 << 15;
    for (let o = 0; o < a.length; o += CH) {
      const e = Math.min(o + CH, a.length);
      dst.set(e - o === a.length ? a : a.subarray(o, e), o);
      const bad = this.k.firstNonFiniteF32(p + o * 4, e - o);
      if (bad >= 0) return -(1 + o + bad);
    }
    return p;
  }
  /** Allocates and copies values in as float64. */
  putF64(a: ArrayLike<number>): number {
    const p = this.alloc(a.length * 8);
    this.f64(p, a.length).set(a);
    return p;
  }
  /** Allocates and copies values in as int32. */
  putI32(a: ArrayLike<number>): number {
    const p = this.alloc(a.length * 4);
    this.i32(p, a.length).set(a);
    return p;
  }
  /** Copies a validity mask in; returns 0 (the kernels' "all valid" pointer) for null. */
  putMask(a: Uint8Array | null): number {
    if (!a) return 0;
    const p = this.alloc(a.length);
    this.u8(p, a.length).set(a);
    return p;
  }

  /** Runs `fn` and releases everything it allocated afterwards (synchronous scopes only). */
  scoped<T>(fn: (a: Arena) => T): T {
    const m = this.mark();
    try {
      return fn(this);
    } finally {
      this.release(m);
    }
  }
}

const MAX_IDLE = 2;
const idlePool: Arena[] = [];

/** The arena shared by synchronous operations (predict, preprocessing, one-shot stats). */
export function sharedArena(): Arena {
  sharedArena_ ??= Arena.create();
  return sharedArena_;
}
let sharedArena_: Arena | null = null;
