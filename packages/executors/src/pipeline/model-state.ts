/**
 * Models of a distributed group from its merged state: logistic regression from the
 * broadcast parameters, linear regression solved from merged normal-equation sums.
 */
import { LinearRegression, LogisticRegression, type LinearStats } from '@weft/kernels';
import { WeftError, type DistributedPipeline, type GroupState } from '@weft/proto';

/** A fitted model of either kind, with its artifact JSON. */
export type GroupModel =
  | { kind: 'logistic'; model: LogisticRegression; json: unknown }
  | { kind: 'linear'; model: LinearRegression; json: unknown };

/** Merged X^T X… sums as kernel LinearStats. */
export function linearStatsOf(st: NonNullable<GroupState['train']>): LinearStats {
  const v = st.vectors ?? {};
  const d = Number(st.meta?.nFeatures ?? 0);
  return {
    nFeatures: d,
    nRows: st.rowsTrain,
    xtx: Float64Array.from(v.xtx ?? []),
    xty: Float64Array.from(v.xty ?? []),
    sumX: Float64Array.from(v.sumX ?? []),
    sumY: st.scalars?.sumY ?? 0,
    sumYY: st.scalars?.sumYY ?? 0,
  };
}

/** The group's model. @throws WeftError INTERNAL when the state lacks what the model needs. */
export function groupModel(p: DistributedPipeline, state: GroupState, nFeatures: number): GroupModel {
  const modelStep = p.steps[p.steps.length - 1]!;
  const mp = modelStep.params as { C?: number; maxIter?: number; tol?: number; alpha?: number };
  if (modelStep.type === 'linear_regression') {
    if (!state.train) throw new WeftError('INTERNAL', `group of "${modelStep.id}": no merged train statistics`);
    const model = LinearRegression.fromStats(linearStatsOf(state.train), { alpha: mp.alpha ?? 0 });
    return { kind: 'linear', model, json: model.toJSON() };
  }
  const K = state.classes?.length ?? 2;
  const P = K === 2 ? 1 : K;
  const w = state.params ?? new Array<number>(P * (nFeatures + 1)).fill(0);
  if (w.length !== P * (nFeatures + 1)) throw new WeftError('INTERNAL', `group of "${modelStep.id}": ${w.length} parameters for ${P}×(${nFeatures}+1)`);
  const json = {
    kind: 'logistic_regression',
    version: 1,
    nFeatures,
    nClasses: K,
    coef: Array.from({ length: P }, (_, c) => w.slice(c * (nFeatures + 1), c * (nFeatures + 1) + nFeatures)),
    intercept: Array.from({ length: P }, (_, c) => w[c * (nFeatures + 1) + nFeatures]!),
    options: { C: mp.C ?? 1, maxIter: mp.maxIter ?? 100, tol: mp.tol ?? 1e-6, nClasses: K, solver: 'lbfgs' },
    trainInfo: { solver: 'lbfgs', epochs: state.lossCurve.length, converged: state.converged ?? false, loss: state.lossCurve[state.lossCurve.length - 1] ?? NaN },
  };
  const model = LogisticRegression.fromJSON(json);
  return { kind: 'logistic', model, json: model.toJSON() };
}
