/**
 * Limited-memory BFGS for smooth unconstrained minimisation, as a generator that yields
 * after every iteration so callers can report progress, honour an AbortSignal, or yield to
 * the event loop between iterations.
 *
 * Algorithm: Nocedal & Wright, "Numerical Optimization" (2nd ed.), Alg. 7.4 (two-loop
 * recursion) and Alg. 7.5, with a backtracking Armijo line search and the curvature pair
 * skipped when s·y <= 1e-10·|s||y| (keeps the Hessian approximation positive definite).
 * Same role as scipy's L-BFGS-B used by scikit-learn's `lbfgs` solver (no bounds here).
 */

/** Objective: writes the gradient into `grad` (same length as `x`) and returns f(x). */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Maximum iterations (default 1000). */
  maxIter?: number;
  /** Stop when max_i |grad_i| <= gtol (default 1e-6). */
  gtol?: number;
  /** Stop when (f_prev - f) <= ftol * max(|f_prev|, |f|, 1) (default 1e-12). */
  ftol?: number;
  /** History size m (default 10). */
  memory?: number;
}

export interface LbfgsStep {
  iter: number;
  f: number;
  gradMaxAbs: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  converged: boolean;
  reason: 'gtol' | 'ftol' | 'max_iter' | 'line_search';
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * Minimises `fn` from `x0` (not modified). Yields one `LbfgsStep` per iteration and returns
 * the result. Deterministic: no randomness.
 */
export function* lbfgs(fn: Objective, x0: Float64Array, opts: LbfgsOptions = {}): Generator<LbfgsStep, LbfgsResult, void> {
  const maxIter = opts.maxIter ?? 1000;
  const gtol = opts.gtol ?? 1e-6;
  const ftol = opts.ftol ?? 1e-12;
  const m = opts.memory ?? 10;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = fn(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  const d = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  if (maxAbs(g) <= gtol) return { x, f, iterations: 0, converged: true, reason: 'gtol' };

  for (let iter = 1; iter <= maxIter; iter++) {
    // two-loop recursion: d = -H g
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let j = S.length - 1; j >= 0; j--) {
      alpha[j] = rho[j] * dot(S[j], d);
      for (let i = 0; i < n; i++) d[i] -= alpha[j] * Y[j][i];
    }
    let gamma = 1;
    if (S.length > 0) {
      const k = S.length - 1;
      gamma = dot(S[k], Y[k]) / dot(Y[k], Y[k]);
    } else {
      gamma = 1 / Math.max(1, Math.sqrt(dot(g, g)));
    }
    for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let j = 0; j < S.length; j++) {
      const beta = rho[j] * dot(Y[j], d);
      for (let i = 0; i < n; i++) d[i] += (alpha[j] - beta) * S[j][i];
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // not a descent direction (numerical trouble): restart from steepest descent
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i] / Math.max(1, Math.sqrt(dot(g, g)));
      slope = dot(g, d);
    }
    // backtracking Armijo line search
    let step = 1;
    let fNew = NaN;
    let ok = false;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = fn(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) {
        ok = true;
        break;
      }
      step *= 0.5;
    }
    if (!ok) return { x, f, iterations: iter, converged: false, reason: 'line_search' };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-10 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const fPrev = f;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    const gmax = maxAbs(g);
    yield { iter, f, gradMaxAbs: gmax };
    if (gmax <= gtol) return { x, f, iterations: iter, converged: true, reason: 'gtol' };
    if (fPrev - f <= ftol * Math.max(Math.abs(fPrev), Math.abs(f), 1)) {
      return { x, f, iterations: iter, converged: true, reason: 'ftol' };
    }
  }
  return { x, f, iterations: maxIter, converged: false, reason: 'max_iter' };
}
