/**
 * Model registry: one entry per model node type, mapping the catalogue's params onto a
 * kernels model. The pipeline trains, evaluates, saves and reloads every model through
 * this table, so adding a model is adding an entry.
 */
import {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  ElasticNet,
  GaussianNB,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  KMeans,
  Lasso,
  LinearRegression,
  LogisticRegression,
  MLPClassifier,
  MLPRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
  type FitHooks,
} from '@weft/kernels';
import type { ModelTask } from '@weft/proto';

/** A trained model as the pipeline uses it. X is Float32Array [nRows, nFeatures] row-major. */
export interface FittedModel {
  /** Class indices (Int32Array [nRows]) or values (Float64Array [nRows]). */
  predict(X: Float32Array, nRows: number): Int32Array | Float64Array;
  /** Classification only: Float64Array [nRows, nClasses] row-major. */
  predictProba?(X: Float32Array, nRows: number): Float64Array;
  toJSON(): unknown;
  /** The model's own feature importances (trees: impurity or gain), one per feature. */
  featureImportances?: ArrayLike<number>;
  /** Clustering only: what predict's cluster ids mean. */
  clustering?: ClusteringModel;
}

/** A fitted clustering model's extras (predict gives the cluster id, Int32Array [nRows]). */
export interface ClusteringModel {
  nClusters: number;
  /** Train inertia: summed squared distance of the train rows to their closest centre. */
  inertia: number;
  /** Euclidean distance of each row to its closest centre: Float64Array [nRows]. */
  distances(X: Float32Array, nRows: number): Float64Array;
}

/** Validated node params (the catalogue's zod output for the model type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type P = Record<string, any>;

export interface FitContext {
  seed: number;
  nClasses?: number;
  hooks: FitHooks;
}

export interface ModelEntry {
  task: ModelTask;
  /** True when NaN (missing) may reach the model: it routes missing values itself. */
  acceptsMissing: boolean;
  /** Expected number of epochs/iterations/rounds, for progress fractions. */
  epochs(params: P): number;
  /** `y` is empty for clustering (it never sees the target). */
  fit(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array | Float64Array, params: P, ctx: FitContext): Promise<FittedModel>;
  load(json: unknown): FittedModel;
}

const seedOf = (p: P, ctx: FitContext) => (typeof p.seed === 'number' ? p.seed : ctx.seed);
const maxFeatures = (v: unknown, nFeatures: number): number | 'sqrt' | 'log2' => (v === 'all' ? nFeatures : (v as 'sqrt' | 'log2'));
const labels = (y: Int32Array | Float64Array) => y as Int32Array;
const values = (y: Int32Array | Float64Array) => y as Float64Array;

const treeOpts = (p: P, ctx: FitContext) => ({
  ...(p.maxDepth !== undefined ? { maxDepth: p.maxDepth } : {}),
  minSamplesLeaf: p.minSamplesLeaf,
  maxBins: p.maxBins,
  seed: seedOf(p, ctx),
});
const gbOpts = (p: P, ctx: FitContext) => ({
  nEstimators: p.nEstimators,
  learningRate: p.learningRate,
  maxDepth: p.maxDepth,
  minChildWeight: p.minChildWeight,
  lambda: p.lambda,
  subsample: p.subsample,
  seed: seedOf(p, ctx),
});
const mlpOpts = (p: P, ctx: FitContext) => ({
  hiddenLayerSizes: p.hiddenLayerSizes,
  activation: p.activation,
  alpha: p.alpha,
  learningRate: p.learningRate,
  batchSize: p.batchSize,
  maxIter: p.maxIter,
  earlyStopping: p.earlyStopping,
  validationFraction: p.validationFraction,
  seed: seedOf(p, ctx),
});

/** k-means as a FittedModel: predict = closest centre, distances from the float32 centres. */
function kmeansModel(m: KMeans): FittedModel {
  const d = m.nFeatures;
  const k = m.nClusters;
  return {
    predict: (X, n) => m.predict(X, n),
    toJSON: () => m.toJSON(),
    clustering: {
      nClusters: k,
      inertia: m.inertia,
      distances(X, n) {
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          let best = Infinity;
          for (let c = 0; c < k; c++) {
            let s = 0;
            for (let j = 0; j < d; j++) {
              const diff = X[i * d + j]! - m.centers[c * d + j]!;
              s += diff * diff;
            }
            if (s < best) best = s;
          }
          out[i] = Math.sqrt(best);
        }
        return out;
      },
    },
  };
}

/** Every trainable model node type. */
export const MODEL_REGISTRY: Record<string, ModelEntry> = {
  logistic_regression: {
    task: 'classification',
    acceptsMissing: false,
    epochs: (p) => Number(p.maxIter),
    fit: (X, n, d, y, p, ctx) => LogisticRegression.fitAsync(X, n, d, labels(y), { C: p.C, maxIter: p.maxIter, tol: p.tol, nClasses: ctx.nClasses }, ctx.hooks),
    load: (j) => LogisticRegression.fromJSON(j),
  },
  linear_regression: {
    task: 'regression',
    acceptsMissing: false,
    epochs: () => 1,
    fit: async (X, n, d, y, p, ctx) => LinearRegression.fit(X, n, d, values(y), { alpha: p.alpha }, ctx.hooks),
    load: (j) => LinearRegression.fromJSON(j),
  },
  lasso: {
    task: 'regression',
    acceptsMissing: false,
    epochs: (p) => Number(p.maxIter),
    fit: async (X, n, d, y, p, ctx) => Lasso.fit(X, n, d, values(y), { alpha: p.alpha, maxIter: p.maxIter, tol: p.tol }, ctx.hooks),
    load: (j) => ElasticNet.fromJSON(j),
  },
  elastic_net: {
    task: 'regression',
    acceptsMissing: false,
    epochs: (p) => Number(p.maxIter),
    fit: async (X, n, d, y, p, ctx) => ElasticNet.fit(X, n, d, values(y), { alpha: p.alpha, l1Ratio: p.l1Ratio, maxIter: p.maxIter, tol: p.tol }, ctx.hooks),
    load: (j) => ElasticNet.fromJSON(j),
  },
  gaussian_nb: {
    task: 'classification',
    acceptsMissing: false,
    epochs: () => 1,
    fit: (X, n, d, y, p, ctx) => GaussianNB.fitAsync(X, n, d, labels(y), { varSmoothing: p.varSmoothing, nClasses: ctx.nClasses }, ctx.hooks),
    load: (j) => GaussianNB.fromJSON(j),
  },
  decision_tree_classifier: {
    task: 'classification',
    acceptsMissing: true,
    epochs: () => 1,
    fit: (X, n, d, y, p, ctx) => DecisionTreeClassifier.fitAsync(X, n, d, labels(y), { ...treeOpts(p, ctx), criterion: p.criterion, nClasses: ctx.nClasses }, ctx.hooks),
    load: (j) => DecisionTreeClassifier.fromJSON(j),
  },
  decision_tree_regressor: {
    task: 'regression',
    acceptsMissing: true,
    epochs: () => 1,
    fit: (X, n, d, y, p, ctx) => DecisionTreeRegressor.fitAsync(X, n, d, values(y), treeOpts(p, ctx), ctx.hooks),
    load: (j) => DecisionTreeRegressor.fromJSON(j),
  },
  random_forest_classifier: {
    task: 'classification',
    acceptsMissing: true,
    epochs: (p) => Number(p.nEstimators),
    fit: (X, n, d, y, p, ctx) =>
      RandomForestClassifier.fitAsync(
        X,
        n,
        d,
        labels(y),
        { ...treeOpts(p, ctx), criterion: p.criterion, nEstimators: p.nEstimators, bootstrap: p.bootstrap, maxFeatures: maxFeatures(p.maxFeatures, d), nClasses: ctx.nClasses },
        ctx.hooks,
      ),
    load: (j) => RandomForestClassifier.fromJSON(j),
  },
  random_forest_regressor: {
    task: 'regression',
    acceptsMissing: true,
    epochs: (p) => Number(p.nEstimators),
    fit: (X, n, d, y, p, ctx) =>
      RandomForestRegressor.fitAsync(X, n, d, values(y), { ...treeOpts(p, ctx), nEstimators: p.nEstimators, bootstrap: p.bootstrap, maxFeatures: maxFeatures(p.maxFeatures, d) }, ctx.hooks),
    load: (j) => RandomForestRegressor.fromJSON(j),
  },
  gradient_boosting_classifier: {
    task: 'classification',
    acceptsMissing: true,
    epochs: (p) => Number(p.nEstimators),
    fit: (X, n, d, y, p, ctx) => GradientBoostingClassifier.fitAsync(X, n, d, labels(y), { ...gbOpts(p, ctx), nClasses: ctx.nClasses }, ctx.hooks),
    load: (j) => GradientBoostingClassifier.fromJSON(j),
  },
  gradient_boosting_regressor: {
    task: 'regression',
    acceptsMissing: true,
    epochs: (p) => Number(p.nEstimators),
    fit: (X, n, d, y, p, ctx) => GradientBoostingRegressor.fitAsync(X, n, d, values(y), gbOpts(p, ctx), ctx.hooks),
    load: (j) => GradientBoostingRegressor.fromJSON(j),
  },
  mlp_classifier: {
    task: 'classification',
    acceptsMissing: false,
    epochs: (p) => Number(p.maxIter),
    fit: (X, n, d, y, p, ctx) => MLPClassifier.fitAsync(X, n, d, labels(y), { ...mlpOpts(p, ctx), nClasses: ctx.nClasses }, ctx.hooks),
    load: (j) => MLPClassifier.fromJSON(j),
  },
  mlp_regressor: {
    task: 'regression',
    acceptsMissing: false,
    epochs: (p) => Number(p.maxIter),
    fit: (X, n, d, y, p, ctx) => MLPRegressor.fitAsync(X, n, d, values(y), mlpOpts(p, ctx), ctx.hooks),
    load: (j) => MLPRegressor.fromJSON(j),
  },
  kmeans: {
    task: 'clustering',
    acceptsMissing: false,
    // Lloyd iterations summed over inits; most runs converge well before maxIter.
    epochs: (p) => Number(p.nInit) * Math.min(Number(p.maxIter), 50),
    fit: async (X, n, d, _y, p, ctx) =>
      kmeansModel(await KMeans.fitAsync(X, n, d, { nClusters: p.nClusters, nInit: p.nInit, maxIter: p.maxIter, tol: p.tol, seed: seedOf(p, ctx) }, ctx.hooks)),
    load: (j) => kmeansModel(KMeans.fromJSON(j)),
  },
};

/** The registry entry of a model node type. @throws Error for a type with no entry. */
export function modelEntry(type: string): ModelEntry {
  const e = Object.prototype.hasOwnProperty.call(MODEL_REGISTRY, type) ? MODEL_REGISTRY[type] : undefined;
  if (!e) throw new Error(`no trainer for model type "${type}"`);
  return e;
}
