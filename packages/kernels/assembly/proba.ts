// Probability heads over float64 scores. Computed here rather than with the JS engine's
// Math.exp, whose last bit differs between V8 versions (Node 20 vs current Chromium): the
// wasm build of exp is the same code everywhere, so probabilities are bit-identical in Node
// and the browser.

/** Binary: out[2i] = 1 - p, out[2i+1] = p with p = sigmoid(s[i]) (overflow-safe form). */
export function sigmoidPairs(sp: usize, n: i32, outp: usize): void {
  for (let i = 0; i < n; i++) {
    const z = load<f64>(sp + (<usize>i << 3));
    let p: f64;
    if (z >= 0) {
      p = 1.0 / (1.0 + Math.exp(-z));
    } else {
      const e = Math.exp(z);
      p = e / (1.0 + e);
    }
    const o = outp + (<usize>i << 4);
    store<f64>(o, 1.0 - p);
    store<f64>(o, p, 8);
  }
}

/** Row-wise softmax of s [n, k] into out [n, k] (max-shifted; may alias s). */
export function softmaxRows(sp: usize, n: i32, k: i32, outp: usize): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i * <usize>k << 3;
    const s = sp + off;
    const o = outp + off;
    let zmax = -Infinity;
    for (let c = 0; c < k; c++) zmax = Math.max(zmax, load<f64>(s + (<usize>c << 3)));
    let se: f64 = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(load<f64>(s + (<usize>c << 3)) - zmax);
      store<f64>(o + (<usize>c << 3), e);
      se += e;
    }
    for (let c = 0; c < k; c++) store<f64>(o + (<usize>c << 3), load<f64>(o + (<usize>c << 3)) / se);
  }
}
