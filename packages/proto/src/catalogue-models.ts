/**
 * Model node types beyond linear and logistic regression: their params schemas (names and
 * defaults follow scikit-learn / XGBoost, in camelCase) and catalogue entries. Merged into
 * NODE_CATALOGUE by catalogue.ts.
 */
import { z } from 'zod';
import type { ModelTask, NodeTypeDef } from './catalogue.js';

const seed = z.number().int().min(0).max(2 ** 31 - 1).optional().describe('Random seed; default: the workflow seed');
const maxDepth = z.number().int().min(1).max(64).optional().describe('Deepest split level; unset = grow until leaves are pure or too small');
const minSamplesLeaf = z.number().int().min(1).default(1).describe('Fewest training rows in a leaf');

export const LassoParams = z.object({
  alpha: z.number().gt(0).default(1).describe('L1 penalty strength'),
  maxIter: z.number().int().min(1).max(100000).default(1000),
  tol: z.number().gt(0).default(1e-4).describe('Duality-gap tolerance'),
});

export const ElasticNetParams = LassoParams.extend({
  l1Ratio: z.number().min(0).max(1).default(0.5).describe('Mix of L1 (1) and L2 (0) penalties'),
});

export const GaussianNbParams = z.object({
  varSmoothing: z.number().min(0).default(1e-9).describe('Share of the largest feature variance added to every variance'),
});

export const DecisionTreeParams = z.object({
  criterion: z.enum(['gini', 'entropy']).default('gini').describe('Split quality (classification)'),
  maxDepth,
  minSamplesLeaf,
  maxBins: z.number().int().min(2).max(255).default(255).describe('Histogram bins per feature'),
  seed,
});

export const DecisionTreeRegressorParams = DecisionTreeParams.omit({ criterion: true });

export const RandomForestParams = DecisionTreeParams.extend({
  nEstimators: z.number().int().min(1).max(2000).default(100).describe('Number of trees'),
  maxFeatures: z.enum(['sqrt', 'log2', 'all']).default('sqrt').describe('Features tried at each split'),
  bootstrap: z.boolean().default(true).describe('Train each tree on a bootstrap sample'),
});

export const RandomForestRegressorParams = RandomForestParams.omit({ criterion: true }).extend({
  maxFeatures: z.enum(['sqrt', 'log2', 'all']).default('all'),
});

export const GradientBoostingParams = z.object({
  nEstimators: z.number().int().min(1).max(5000).default(100).describe('Boosting rounds'),
  learningRate: z.number().gt(0).max(1).default(0.3).describe('Shrinkage (XGBoost eta)'),
  maxDepth: z.number().int().min(1).max(32).default(6),
  minChildWeight: z.number().min(0).default(1).describe('Smallest hessian sum in a leaf'),
  lambda: z.number().min(0).default(1).describe('L2 penalty on leaf weights'),
  subsample: z.number().gt(0).max(1).default(1).describe('Row share per round'),
  seed,
});

export const MlpParams = z.object({
  hiddenLayerSizes: z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([100]).describe('Units per hidden layer'),
  activation: z.enum(['relu', 'tanh', 'logistic']).default('relu'),
  alpha: z.number().min(0).default(1e-4).describe('L2 penalty'),
  learningRate: z.number().gt(0).default(1e-3).describe('Adam step size'),
  batchSize: z.number().int().min(1).default(200),
  maxIter: z.number().int().min(1).max(10000).default(200).describe('Epochs'),
  earlyStopping: z.boolean().default(false).describe('Stop when the validation score stops improving'),
  validationFraction: z.number().gt(0).lt(1).default(0.1),
  seed,
});

/**
 * k-means. `nInit` defaults to 3, not scikit-learn 1.2's 10: each init is a full k-means++
 * draw plus Lloyd run over the train part, so 10 makes the node ~3x slower for an inertia
 * gain that is usually tiny; scikit-learn >= 1.4 itself uses 1 ('auto') with k-means++.
 * Set 10 to reproduce scikit-learn 1.2 exactly (up to its random stream).
 */
export const KMeansParams = z.object({
  nClusters: z.number().int().min(2).max(1000).default(8).describe('Number of clusters k'),
  nInit: z.number().int().min(1).max(100).default(3).describe('k-means++ initialisations; the lowest-inertia run is kept (scikit-learn 1.2: 10)'),
  maxIter: z.number().int().min(1).max(10000).default(300).describe('Lloyd iterations per initialisation'),
  tol: z.number().gt(0).default(1e-4).describe('Stop when the squared centre shift is at most tol × the mean feature variance'),
  seed,
});

const model = (
  type: string,
  label: string,
  description: string,
  params: z.ZodTypeAny,
  task: ModelTask,
  acceptsMissing = false,
): NodeTypeDef => ({
  type,
  label,
  category: 'model',
  description,
  inputs: [{ name: 'split', type: 'split' }],
  outputs: [{ name: 'model', type: 'model' }],
  params,
  task,
  acceptsMissing,
});

/** Catalogue entries of the model nodes defined here. */
export const EXTRA_MODEL_NODES = {
  lasso: model('lasso', 'Lasso', 'Linear regression with an L1 penalty, by coordinate descent.', LassoParams, 'regression'),
  elastic_net: model('elastic_net', 'Elastic net', 'Linear regression with mixed L1/L2 penalties, by coordinate descent.', ElasticNetParams, 'regression'),
  gaussian_nb: model('gaussian_nb', 'Gaussian naive Bayes', 'Per-class Gaussian likelihoods with independent features.', GaussianNbParams, 'classification'),
  decision_tree_classifier: model('decision_tree_classifier', 'Decision tree (classification)', 'Histogram CART; missing values follow a learned direction.', DecisionTreeParams, 'classification', true),
  decision_tree_regressor: model('decision_tree_regressor', 'Decision tree (regression)', 'Histogram CART on squared error; missing values follow a learned direction.', DecisionTreeRegressorParams, 'regression', true),
  random_forest_classifier: model('random_forest_classifier', 'Random forest (classification)', 'Bagged histogram trees with feature subsampling.', RandomForestParams, 'classification', true),
  random_forest_regressor: model('random_forest_regressor', 'Random forest (regression)', 'Bagged histogram trees on squared error.', RandomForestRegressorParams, 'regression', true),
  gradient_boosting_classifier: model('gradient_boosting_classifier', 'Gradient boosting (classification)', 'Histogram gradient-boosted trees (XGBoost hist algorithm), logistic or softmax loss.', GradientBoostingParams, 'classification', true),
  gradient_boosting_regressor: model('gradient_boosting_regressor', 'Gradient boosting (regression)', 'Histogram gradient-boosted trees on squared error.', GradientBoostingParams, 'regression', true),
  mlp_classifier: model('mlp_classifier', 'Neural network (classification)', 'Multi-layer perceptron trained with Adam; softmax/sigmoid head.', MlpParams, 'classification'),
  mlp_regressor: model('mlp_regressor', 'Neural network (regression)', 'Multi-layer perceptron trained with Adam; linear head.', MlpParams, 'regression'),
  kmeans: {
    ...model('kmeans', 'k-means', 'Clustering: k-means++ initialisation, Lloyd iterations; reports inertia, and the adjusted Rand index against the target when there is one.', KMeansParams, 'clustering'),
    // Lloyd iterations need every row each round: no sharded fit, so 'on' is refused.
    shardable: false,
  },
} satisfies Record<string, NodeTypeDef>;
