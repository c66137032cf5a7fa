/**
 * @weft/kernels — pure compute for Weft: WebAssembly (AssemblyScript, SIMD) training
 * kernels, models, preprocessing over columns, deterministic splits and metrics.
 * No I/O; runs unchanged in Node and the browser; deterministic for a given seed.
 * Matrices are Float32Array [nRows, nFeatures] row-major; labels Int32Array 0..K-1.
 */
export { KernelError, type KernelErrorCode } from './errors.js';

// models
export { type EpochEvent, type FitHooks } from './models/common.js';
export {
  LogisticRegression,
  type LogisticRegressionOptions,
  type LogisticRegressionJSON,
  type LogisticTrainInfo,
} from './models/logistic-regression.js';
export { logisticLossGradSums } from './models/logistic-loss.js';
export { LinearRegression, type LinearRegressionOptions, type LinearRegressionJSON } from './models/linear-regression.js';
export { linearStats, mergeLinearStats, solveLinearStats, type LinearStats, type LinearSolution } from './models/linear-stats.js';

// optimisers
export { lbfgs, type Objective, type LbfgsOptions, type LbfgsStep, type LbfgsResult } from './optim/lbfgs.js';

// preprocessing
export {
  type NumericColumn,
  type CategoricalColumn,
  type Column,
  isCategorical,
  countMissing,
} from './preprocess/columns.js';
export {
  fitImputer,
  applyImputer,
  imputerFromJSON,
  type ImputeStrategy,
  type ImputerOptions,
  type ImputerState,
  type NumericImputerState,
  type CategoricalImputerState,
} from './preprocess/imputer.js';
export {
  fitStandardScaler,
  applyStandardScaler,
  scalerPartialStats,
  mergeScalerStats,
  scalerFromStats,
  standardScalerFromJSON,
  type ScalerStats,
  type StandardScalerState,
} from './preprocess/scaler.js';
export { fitOneHot, applyOneHot, oneHotFromJSON, type OneHotOptions, type OneHotState, type OneHotResult } from './preprocess/onehot.js';
export { assembleMatrix, type NamedColumn, type AssembledMatrix } from './preprocess/assemble.js';
export { fitOrdinal, applyOrdinal, ordinalFromJSON, type OrdinalOptions, type OrdinalState, type OrdinalResult } from './preprocess/ordinal.js';
export {
  fitTargetEncoder,
  applyTargetEncoder,
  fitTransformTargetEncoder,
  outOfFoldAssignment,
  targetEncoderFromJSON,
  type EncoderTarget,
  type TargetEncoderOptions,
  type TargetEncoderState,
  type TargetEncodeResult,
} from './preprocess/target-encoder.js';
export { DATETIME_FEATURES, datetimeFeatures, type DatetimeFeature } from './preprocess/datetime.js';
export { fitClip, applyClip, clipFromQuantiles, clipFromJSON, quantileOfSorted, type ClipOptions, type ClipState, type ClipResult } from './preprocess/clip.js';
export { varianceStats, thresholdVariance, fitVarianceThreshold, type VarianceStats, type VarianceThresholdResult } from './preprocess/variance.js';

// split
export { splitAssignment, splitMask, stratifiedSplitMask, type SplitSide } from './split/split.js';
export { rowHash, fmix32, splitmix32 } from './split/hash.js';

// metrics
export { accuracy, balanced_accuracy, precision, recall, f1, confusion_matrix, averagedScoresFromConfusion, type Labels, type AverageOptions, type AveragedScores } from './metrics/classification.js';
export { roc_auc, roc_curve, log_loss, average_precision, calibration_curve, calibrationBin, calibrationFromSums, emptyCalibrationSums, addCalibrationRow, topClass, CALIBRATION_BINS, type OptionalMetric, type RocCurve, type CalibrationCurve, type CalibrationSums } from './metrics/probabilistic.js';
export { rmse, mae, r2 } from './metrics/regression.js';
export { classificationMetrics, regressionMetrics, type ClassificationMetrics, type RegressionMetrics } from './metrics/report.js';
export { adjusted_rand_score, silhouette_score } from './metrics/clustering.js';

// models added for issue 4
export { KMeans, type KMeansOptions, type KMeansJSON } from './models/kmeans.js';
export { GaussianNB, type GaussianNBOptions, type GaussianNBJSON } from './models/gaussian-nb.js';
export { ElasticNet, Lasso, Ridge, type ElasticNetOptions, type ElasticNetJSON } from './models/elastic-net.js';
export {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
  TreeEnsembleBase,
  type TreeOptions,
  type ForestOptions,
  type ForestJSON,
} from './models/tree/forest.js';
export {
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  type GradientBoostingOptions,
  type GradientBoostingJSON,
  type BoostObjective,
} from './models/tree/gradient-boosting.js';
export { type Tree, type TreeJSON } from './models/tree/grower.js';
export { fitBins, type BinMapper } from './models/tree/binning.js';
export { MLPClassifier, MLPRegressor, type MlpOptions, type MlpActivation, type MlpJSON, type MlpTrainInfo } from './models/mlp.js';

// inspection and data
export { permutationImportance, type PermutationImportanceOptions, type PermutationImportanceResult } from './inspect/permutation-importance.js';
export { syntheticClassification, syntheticRegression, type SyntheticData } from './data/synthetic.js';
export { sumPass } from './inspect/bandwidth.js';
