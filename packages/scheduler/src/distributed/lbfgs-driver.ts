/**
 * The data-parallel L-BFGS driver: a pure state machine the scheduler advances once per
 * round of shard tasks. Each round the shards return the summed cross-entropy and its
 * gradient at the broadcast parameters (`logisticLossGradSums`); the driver forms the mean
 * objective `loss / n + ||W||² / (2 C n)` (intercepts unpenalised, as the single-task
 * LogisticRegression) and either accepts the point (Armijo backtracking line search along
 * the two-loop L-BFGS direction, Nocedal & Wright Alg. 7.4, history m = 10) or shrinks the
 * step. Vector sizes are P·(d+1) ≤ a few thousand: arithmetic only, no kernels.
 */

/** Persisted driver state (JSON in the next round's task specs). */
export interface LbfgsDriverState {
  /** Accepted point, its mean objective and gradient. */
  x: number[];
  f: number;
  g: number[];
  /** L-BFGS history pairs (oldest first). */
  s: number[][];
  y: number[][];
  /** Search direction and the step being tried: trial = x + step · dir. */
  dir: number[];
  step: number;
  /** Accepted iterations and objective evaluations (rounds). */
  iter: number;
  evals: number;
}

/** Optimiser settings (from the model node's params) and the problem's shape. */
export interface LbfgsSettings {
  C: number;
  tol: number;
  maxIter: number;
  /** d: features per output row; params are [P, d + 1] row-major, intercept last. */
  nFeatures: number;
  /** Train rows n (objective is a mean over them). */
  nRows: number;
}

/** The driver's answer after a round. */
export type LbfgsOutcome =
  | { done: false; trial: number[]; state: LbfgsDriverState; loss: number }
  | { done: true; x: number[]; loss: number; converged: boolean; iter: number; evals: number };

const HISTORY = 10;
const ARMIJO_C1 = 1e-4;
const MIN_STEP = 1e-12;

const dot = (a: number[], b: number[]) => a.reduce((acc, v, i) => acc + v * b[i]!, 0);
const maxAbs = (a: number[]) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Mean objective and gradient at `w` from the shards' summed loss and gradient. */
export function meanObjective(w: number[], lossSum: number, gradSum: number[], st: LbfgsSettings): { f: number; g: number[] } {
  const d1 = st.nFeatures + 1;
  const n = Math.max(1, st.nRows);
  let pen = 0;
  const g = gradSum.map((v, i) => {
    const isIntercept = i % d1 === st.nFeatures;
    if (isIntercept) return v / n;
    pen += w[i]! * w[i]!;
    return v / n + w[i]! / (st.C * n);
  });
  return { f: lossSum / n + pen / (2 * st.C * n), g };
}

/** Two-loop recursion: −H·g from the history. */
function direction(g: number[], s: number[][], y: number[][]): number[] {
  const q = g.slice();
  const alpha: number[] = [];
  for (let k = s.length - 1; k >= 0; k--) {
    const rho = 1 / dot(y[k]!, s[k]!);
    const a = rho * dot(s[k]!, q);
    alpha[k] = a;
    for (let i = 0; i < q.length; i++) q[i]! -= a * y[k]![i]!;
  }
  const last = s.length - 1;
  const gamma = last >= 0 ? dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!) : 1;
  for (let i = 0; i < q.length; i++) q[i]! *= gamma;
  for (let k = 0; k < s.length; k++) {
    const rho = 1 / dot(y[k]!, s[k]!);
    const b = rho * dot(y[k]!, q);
    for (let i = 0; i < q.length; i++) q[i]! += s[k]![i]! * (alpha[k]! - b);
  }
  return q.map((v) => -v);
}

const along = (x: number[], dir: number[], step: number) => x.map((v, i) => v + step * dir[i]!);

/**
 * Advances the driver with the objective evaluated at the last trial point.
 * `state` null: the round evaluated the start point `trial` (all zeros).
 */
export function lbfgsStep(state: LbfgsDriverState | null, trial: number[], lossSum: number, gradSum: number[], st: LbfgsSettings): LbfgsOutcome {
  const { f, g } = meanObjective(trial, lossSum, gradSum, st);
  if (!state) {
    if (maxAbs(g) <= st.tol) return { done: true, x: trial, loss: f, converged: true, iter: 0, evals: 1 };
    const dir = g.map((v) => -v);
    const step = Math.min(1, 1 / Math.sqrt(dot(g, g)));
    const next: LbfgsDriverState = { x: trial, f, g, s: [], y: [], dir, step, iter: 0, evals: 1 };
    return { done: false, trial: along(trial, dir, step), state: next, loss: f };
  }
  const evals = state.evals + 1;
  const armijo = f <= state.f + ARMIJO_C1 * state.step * dot(state.g, state.dir) && Number.isFinite(f);
  if (!armijo) {
    const step = state.step * 0.5;
    if (step < MIN_STEP) return { done: true, x: state.x, loss: state.f, converged: false, iter: state.iter, evals };
    return { done: false, trial: along(state.x, state.dir, step), state: { ...state, step, evals }, loss: state.f };
  }
  const sk = trial.map((v, i) => v - state.x[i]!);
  const yk = g.map((v, i) => v - state.g[i]!);
  let s = state.s;
  let y = state.y;
  if (dot(sk, yk) > 1e-10 * dot(yk, yk)) {
    s = [...s, sk].slice(-HISTORY);
    y = [...y, yk].slice(-HISTORY);
  }
  const iter = state.iter + 1;
  if (maxAbs(g) <= st.tol) return { done: true, x: trial, loss: f, converged: true, iter, evals };
  if (iter >= st.maxIter) return { done: true, x: trial, loss: f, converged: false, iter, evals };
  let dir = direction(g, s, y);
  if (dot(dir, g) >= 0) {
    dir = g.map((v) => -v);
    s = [];
    y = [];
  }
  const next: LbfgsDriverState = { x: trial, f, g, s, y, dir, step: 1, iter, evals };
  return { done: false, trial: along(trial, dir, 1), state: next, loss: f };
}
