// XGBoost 1.7's weighted quantile sketch (src/common/quantile.h: WQSummary, WQuantileSketch),
// the cut points of the gradient-boosting bins (src/models/tree/sketch.ts drives it).
//
// A summary is an array of 16-byte entries {rmin, rmax, wmin, value: f32} sorted by value, as
// XGBoost's WQSummary<float, float>::Entry; ranks are float32 and every rank operation rounds
// to float32 exactly as there.

// @ts-ignore: decorator
@inline
function entry(p: usize, i: i32): usize {
  return p + (<usize>i << 4);
}

/** WQSummary::SetPrune of src [size] into dst (>= maxSize entries); returns the new size. */
function setPrune(dst: usize, src: usize, size: i32, maxSize: i32): i32 {
  if (size <= maxSize) {
    memory.copy(dst, src, <usize>size << 4);
    return size;
  }
  const last = size - 1;
  const begin = load<f32>(src, 4);
  const range: f32 = load<f32>(entry(src, last)) - begin;
  const n = maxSize - 1;
  memory.copy(dst, src, 16);
  let out = 1;
  let i = 1;
  let lastIdx = 0;
  for (let k = 1; k < n; k++) {
    const dx2: f32 = <f32>2 * ((<f32>k * range) / <f32>n + begin);
    while (i < last) {
      const e1 = entry(src, i + 1);
      if (dx2 >= load<f32>(e1, 4) + load<f32>(e1)) i++;
      else break;
    }
    if (i == last) break;
    const e = entry(src, i);
    const e1 = entry(src, i + 1);
    // dx2 < RMinNext(i) + RMaxPrev(i + 1)
    if (dx2 < (load<f32>(e) + load<f32>(e, 8)) + (load<f32>(e1, 4) - load<f32>(e1, 8))) {
      if (i != lastIdx) {
        memory.copy(entry(dst, out++), e, 16);
        lastIdx = i;
      }
    } else if (i + 1 != lastIdx) {
      memory.copy(entry(dst, out++), e1, 16);
      lastIdx = i + 1;
    }
  }
  if (lastIdx != last) memory.copy(entry(dst, out++), entry(src, last), 16);
  return out;
}

// @ts-ignore: decorator
@inline
function put(p: usize, rmin: f32, rmax: f32, wmin: f32, value: f32): void {
  store<f32>(p, rmin);
  store<f32>(p, rmax, 4);
  store<f32>(p, wmin, 8);
  store<f32>(p, value, 12);
}

/** WQSummary::SetCombine of a [na] and b [nb] into dst (>= na + nb entries), then FixError; returns the size. */
function setCombine(dst: usize, a: usize, na: i32, b: usize, nb: i32): i32 {
  if (na == 0) {
    memory.copy(dst, b, <usize>nb << 4);
    return nb;
  }
  if (nb == 0) {
    memory.copy(dst, a, <usize>na << 4);
    return na;
  }
  let ia = 0;
  let ib = 0;
  let aPrevRmin: f32 = 0;
  let bPrevRmin: f32 = 0;
  let s = 0;
  while (ia < na && ib < nb) {
    const ea = entry(a, ia);
    const eb = entry(b, ib);
    const av = load<f32>(ea, 12);
    const bv = load<f32>(eb, 12);
    if (av == bv) {
      put(entry(dst, s++), load<f32>(ea) + load<f32>(eb), load<f32>(ea, 4) + load<f32>(eb, 4), load<f32>(ea, 8) + load<f32>(eb, 8), av);
      aPrevRmin = load<f32>(ea) + load<f32>(ea, 8);
      bPrevRmin = load<f32>(eb) + load<f32>(eb, 8);
      ia++;
      ib++;
    } else if (av < bv) {
      put(entry(dst, s++), load<f32>(ea) + bPrevRmin, load<f32>(ea, 4) + (load<f32>(eb, 4) - load<f32>(eb, 8)), load<f32>(ea, 8), av);
      aPrevRmin = load<f32>(ea) + load<f32>(ea, 8);
      ia++;
    } else {
      put(entry(dst, s++), load<f32>(eb) + aPrevRmin, load<f32>(eb, 4) + (load<f32>(ea, 4) - load<f32>(ea, 8)), load<f32>(eb, 8), bv);
      bPrevRmin = load<f32>(eb) + load<f32>(eb, 8);
      ib++;
    }
  }
  if (ia < na) {
    const bRmax = load<f32>(entry(b, nb - 1), 4);
    for (; ia < na; ia++) {
      const ea = entry(a, ia);
      put(entry(dst, s++), load<f32>(ea) + bPrevRmin, load<f32>(ea, 4) + bRmax, load<f32>(ea, 8), load<f32>(ea, 12));
    }
  }
  if (ib < nb) {
    const aRmax = load<f32>(entry(a, na - 1), 4);
    for (; ib < nb; ib++) {
      const eb = entry(b, ib);
      put(entry(dst, s++), load<f32>(eb) + aPrevRmin, load<f32>(eb, 4) + aRmax, load<f32>(eb, 8), load<f32>(eb, 12));
    }
  }
  // FixError
  let prevRmin: f32 = 0;
  let prevRmax: f32 = 0;
  for (let i = 0; i < s; i++) {
    const e = entry(dst, i);
    const rmin = load<f32>(e);
    if (rmin < prevRmin) store<f32>(e, prevRmin);
    else prevRmin = rmin;
    if (load<f32>(e, 4) < prevRmax) store<f32>(e, prevRmax, 4);
    const rminNext = load<f32>(e) + load<f32>(e, 8);
    if (load<f32>(e, 4) < rminNext) store<f32>(e, rminNext, 4);
    prevRmax = load<f32>(e, 4);
  }
  return s;
}

/**
 * Queue::MakeSummary: queue values qv / weights qw (f32 [m]) -> one entry per distinct value in
 * increasing order with its summed weight, into out. Sorts (key, weight) pairs with a stable LSD
 * radix sort on the order-preserving uint32 image of the value (3 passes of 11 bits); sortA /
 * sortB: u64 [m]; counts: u32 [3 * 2048]. Returns the number of entries.
 */
function makeSummary(qv: usize, qw: usize, m: i32, out: usize, sortA: usize, sortB: usize, counts: usize): i32 {
  memory.fill(counts, 0, 3 * 2048 * 4);
  for (let i = 0; i < m; i++) {
    let u = load<u32>(qv + (<usize>i << 2));
    u = (u & 0x80000000) != 0 ? ~u : u | 0x80000000;
    store<u64>(sortA + (<usize>i << 3), <u64>u | (<u64>load<u32>(qw + (<usize>i << 2)) << 32));
    const c0 = counts + (<usize>(u & 0x7ff) << 2);
    const c1 = counts + 8192 + (<usize>((u >> 11) & 0x7ff) << 2);
    const c2 = counts + 16384 + (<usize>(u >> 22) << 2);
    store<u32>(c0, load<u32>(c0) + 1);
    store<u32>(c1, load<u32>(c1) + 1);
    store<u32>(c2, load<u32>(c2) + 1);
  }
  for (let pass = 0; pass < 3; pass++) {
    const c = counts + <usize>pass * 8192;
    let s: u32 = 0;
    for (let b = 0; b < 2048; b++) {
      const o = c + (<usize>b << 2);
      const v = load<u32>(o);
      store<u32>(o, s);
      s += v;
    }
  }
  let src = sortA;
  let dst = sortB;
  for (let pass = 0; pass < 3; pass++) {
    const c = counts + <usize>pass * 8192;
    const shift = <u64>(pass * 11);
    for (let i = 0; i < m; i++) {
      const item = load<u64>(src + (<usize>i << 3));
      const o = c + (<usize>((item >> shift) & 0x7ff) << 2);
      const at = load<u32>(o);
      store<u32>(o, at + 1);
      store<u64>(dst + (<usize>at << 3), item);
    }
    const t = src;
    src = dst;
    dst = t;
  }
  let size = 0;
  let wsum: f32 = 0;
  for (let i = 0; i < m; ) {
    const item = load<u64>(src + (<usize>i << 3));
    const key = <u32>item;
    const v = reinterpret<f32>((key & 0x80000000) != 0 ? key & 0x7fffffff : ~key);
    let w = reinterpret<f32>(<u32>(item >> 32));
    let j = i + 1;
    while (j < m) {
      const it2 = load<u64>(src + (<usize>j << 3));
      const k2 = <u32>it2;
      if (reinterpret<f32>((k2 & 0x80000000) != 0 ? k2 & 0x7fffffff : ~k2) != v) break;
      w += reinterpret<f32>(<u32>(it2 >> 32));
      j++;
    }
    put(entry(out, size++), wsum, wsum + w, w, v);
    wsum += w;
    i = j;
  }
  return size;
}

/**
 * WQuantileSketch<float, float> of one column (Init with `limit` = limit_size, then Push of every
 * non-NaN value of col f32 [n] in order with weight 1, then GetSummary), followed by XGBoost's
 * final prunes: to `numCuts` entries (HostSketchContainer::AllReduce) and to `finalSize`
 * (MakeCuts: min(numCuts, max_bin) + 1). Writes that summary's entries to outp (>= finalSize
 * entries) and returns their number.
 * work: a workspace of `sketchWorkBytes(limit, maxLevels)` bytes (see src/models/tree/sketch.ts);
 * maxLevels >= the sketch's nlevel + 2.
 */
export function sketchColumn(colp: usize, n: i32, limit: i32, maxLevels: i32, work: usize, numCuts: i32, finalSize: i32, outp: usize): i32 {
  const cap = 2 * limit;
  const ucap = <usize>cap;
  const qv = work;
  const qw = qv + (ucap << 2);
  const sortA = qw + (ucap << 2);
  const sortB = sortA + (ucap << 3);
  const counts = sortB + (ucap << 3);
  const temp = counts + 3 * 2048 * 4;
  const out = temp + (ucap << 4);
  const sizes = out + (ucap << 4);
  const levels = sizes + (<usize>maxLevels << 2);
  const levelBytes = <usize>limit << 4;
  memory.fill(sizes, 0, <usize>maxLevels << 2);
  let flushed = false;
  let nLevels = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f32>(colp + (<usize>i << 2));
    if (x != x) continue;
    if (t == cap) {
      // MakeSummary into temp, then PushTemp
      let tempSize = makeSummary(qv, qw, t, temp, sortA, sortB, counts);
      t = 0;
      flushed = true;
      for (let l = 1; ; l++) {
        if (l + 1 > nLevels) nLevels = l + 1;
        const lv = levels + <usize>l * levelBytes;
        const ls = sizes + (<usize>l << 2);
        if (load<i32>(ls) == 0) {
          store<i32>(ls, setPrune(lv, temp, tempSize, limit));
          break;
        }
        const l0size = setPrune(levels, temp, tempSize, limit);
        tempSize = setCombine(temp, levels, l0size, lv, load<i32>(ls));
        if (tempSize > limit) store<i32>(ls, 0);
        else {
          memory.copy(lv, temp, <usize>tempSize << 4);
          store<i32>(ls, tempSize);
          break;
        }
      }
    }
    // consecutive equal values share one queue entry (Queue::Push)
    if (t == 0 || load<f32>(qv + (<usize>(t - 1) << 2)) != x) {
      store<f32>(qv + (<usize>t << 2), x);
      store<f32>(qw + (<usize>t << 2), 1);
      t++;
    } else {
      const o = qw + (<usize>(t - 1) << 2);
      store<f32>(o, load<f32>(o) + 1);
    }
  }
  // GetSummary
  let outSize = makeSummary(qv, qw, t, out, sortA, sortB, counts);
  if (flushed) {
    let s0 = setPrune(levels, out, outSize, limit);
    for (let l = 1; l < nLevels; l++) {
      const ls = load<i32>(sizes + (<usize>l << 2));
      if (ls == 0) continue;
      const lv = levels + <usize>l * levelBytes;
      if (s0 == 0) {
        memory.copy(levels, lv, <usize>ls << 4);
        s0 = ls;
      } else {
        outSize = setCombine(out, levels, s0, lv, ls);
        s0 = setPrune(levels, out, outSize, limit);
      }
    }
    memory.copy(out, levels, <usize>s0 << 4);
    outSize = s0;
  } else if (outSize > limit) {
    outSize = setPrune(temp, out, outSize, limit);
    memory.copy(out, temp, <usize>outSize << 4);
  }
  // AllReduce's prune to numCuts (into temp), MakeCuts' prune to finalSize
  const reducedSize = setPrune(temp, out, outSize, numCuts);
  return setPrune(outp, temp, reducedSize, finalSize);
}
