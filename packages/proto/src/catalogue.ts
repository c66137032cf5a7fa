/**
 * The node catalogue: every node type a workflow may use, its typed ports and its params
 * schema. The canvas builds its palette and forms from `catalogueAsJson()`; the api and the
 * scheduler validate with the zod schemas; executors read params through the same schemas.
 */
import { z } from 'zod';
import { EXTRA_MODEL_NODES } from './catalogue-models.js';

/** What flows along an edge. `split` = a table with a train/test assignment per row. */
export const PORT_TYPES = ['table', 'split', 'model', 'metrics'] as const;
export type PortType = (typeof PORT_TYPES)[number];

export interface PortDef {
  name: string;
  type: PortType;
  /** Whether the node may run without this input connected. */
  optional?: boolean;
}

export type NodeCategory = 'data' | 'transform' | 'model' | 'evaluate';
/**
 * What a model node fits: a class target, a numeric target, or (clustering) no target at all;
 * a clustering model's target, when the dataset names one, is only compared with its clusters.
 */
export const MODEL_TASKS = ['classification', 'regression', 'clustering'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

export interface NodeTypeDef<P extends z.ZodTypeAny = z.ZodTypeAny> {
  type: string;
  label: string;
  category: NodeCategory;
  description: string;
  inputs: PortDef[];
  outputs: PortDef[];
  params: P;
  /** For model nodes: which kind of target they fit ('clustering': none needed). */
  task?: ModelTask;
  /** For model nodes: whether they accept missing values in features. */
  acceptsMissing?: boolean;
  /** For model nodes: whether they train data-parallel over shards (else one executor reads every shard). */
  dataParallel?: boolean;
  /**
   * For transform nodes: false when the node has no map-reduce fit, so a pipeline holding it
   * cannot run sharded: with the split's `distributed` 'auto' it trains on one executor, and
   * 'on' is refused at validation naming the node. Undefined = fitted over shards.
   */
  shardable?: boolean;
}

const columnList = z.array(z.string().min(1).max(256)).max(10000);

export const DatasetParams = z.object({
  datasetId: z.string().min(1).max(64).describe('Id of an uploaded dataset'),
  target: z.string().min(1).max(256).optional().describe('Target column (required for training)'),
  features: columnList.optional().describe('Feature columns; default: every column not ignored and not the target'),
  ignore: columnList.optional().describe('Columns to leave out'),
});

export const SplitParams = z.object({
  testFraction: z.number().gt(0).lt(1).default(0.2).describe(
    'Fraction of rows held out for testing. Without stratification each row is assigned by a hash of its row id (and the seed), so the held-out share is approximate (testFraction in expectation); with stratification (classification targets) it is exact per class: round(class count × testFraction) rows of each class',
  ),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional().describe('Split seed; default: the workflow seed'),
  stratify: z.boolean().default(true).describe('Keep class proportions in both parts (classification targets)'),
  distributed: z
    .enum(['auto', 'on', 'off'])
    .optional()
    .describe('Data-parallel training over dataset shards: auto (when the dataset has more than one shard), on, off'),
  folds: z.number().int().min(2).max(20).optional().describe('k-fold cross-validation: also train k fold models in parallel and report mean and std of the metrics'),
});

export const ImputeParams = z.object({
  strategy: z.enum(['mean', 'median', 'most_frequent', 'constant']).default('mean'),
  fillValue: z.union([z.number(), z.string()]).optional().describe('Value used by the constant strategy'),
  columns: columnList.optional().describe('Columns to impute; default: every feature with missing values'),
  addIndicator: z.boolean().default(false).describe('Add a 0/1 "was missing" feature per imputed column'),
});

export const ScaleParams = z.object({
  method: z.enum(['standard', 'minmax', 'robust']).default('standard'),
  columns: columnList.optional().describe('Columns to scale; default: every numeric feature'),
});

export const OneHotParams = z.object({
  columns: columnList.optional().describe('Columns to encode; default: every categorical feature'),
  maxCategories: z.number().int().min(1).max(1000).default(50).describe('Keep the most frequent categories; others count as unknown'),
});

export const OrdinalParams = z.object({
  columns: columnList.optional().describe('Columns to encode; default: every categorical feature'),
  unknownValue: z.number().default(-1).describe('Code of a category not seen in training (scikit-learn unknown_value); must not be a code of a seen category'),
  encodedMissingValue: z.number().optional().describe('Code of a missing value (scikit-learn encoded_missing_value); default: it stays missing'),
});

export const TargetEncodeParams = z.object({
  columns: columnList.optional().describe('Columns to encode; default: every categorical feature'),
  smooth: z
    .union([z.literal('auto'), z.number().min(0)])
    .default('auto')
    .describe("Shrinkage toward the target mean: 'auto' (empirical Bayes, as scikit-learn) or m ≥ 0, encoding (sum + m·mean) / (count + m)"),
  cv: z.number().int().min(2).max(20).default(5).describe('Folds of the out-of-fold encoding of the train part (scikit-learn cv)'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional().describe('Seed of the fold assignment; default: the workflow seed'),
});

/** Calendar features the datetime node can extract (UTC). */
export const DATETIME_FEATURE_NAMES = ['year', 'quarter', 'month', 'day', 'day_of_week', 'day_of_year', 'hour', 'minute', 'second', 'is_weekend', 'epoch_seconds'] as const;

export const DatetimeFeaturesParams = z.object({
  columns: columnList.optional().describe('Datetime columns; default: every datetime column of the dataset'),
  features: z
    .array(z.enum(DATETIME_FEATURE_NAMES))
    .min(1)
    .max(DATETIME_FEATURE_NAMES.length)
    .refine((f) => new Set(f).size === f.length, { message: 'each feature may be listed once (remove the repeated ones)' })
    .default(['year', 'month', 'day', 'day_of_week', 'hour'])
    .describe('Features per column (UTC): day_of_week 0 = Monday; epoch_seconds = seconds since 1970-01-01'),
});

export const ClipParams = z
  .object({
    columns: columnList.optional().describe('Columns to clip; default: every numeric feature'),
    lower: z.number().optional().describe('Lower bound as a value'),
    upper: z.number().optional().describe('Upper bound as a value'),
    lowerQuantile: z.number().min(0).max(1).optional().describe('Lower bound as a quantile of the train part, e.g. 0.01'),
    upperQuantile: z.number().min(0).max(1).optional().describe('Upper bound as a quantile of the train part, e.g. 0.99'),
  })
  .superRefine((p, ctx) => {
    if (p.lower !== undefined && p.lowerQuantile !== undefined) ctx.addIssue({ code: 'custom', path: ['lowerQuantile'], message: 'give lower or lowerQuantile, not both' });
    if (p.upper !== undefined && p.upperQuantile !== undefined) ctx.addIssue({ code: 'custom', path: ['upperQuantile'], message: 'give upper or upperQuantile, not both' });
    if (p.lower === undefined && p.upper === undefined && p.lowerQuantile === undefined && p.upperQuantile === undefined) {
      ctx.addIssue({ code: 'custom', path: ['lowerQuantile'], message: 'set at least one bound (lower, upper, lowerQuantile or upperQuantile)' });
    }
    if (p.lower !== undefined && p.upper !== undefined && p.lower > p.upper) ctx.addIssue({ code: 'custom', path: ['lower'], message: `lower ${p.lower} is above upper ${p.upper}` });
    if (p.lowerQuantile !== undefined && p.upperQuantile !== undefined && p.lowerQuantile > p.upperQuantile) {
      ctx.addIssue({ code: 'custom', path: ['lowerQuantile'], message: `lowerQuantile ${p.lowerQuantile} is above upperQuantile ${p.upperQuantile}` });
    }
  });

export const VarianceThresholdParams = z.object({
  threshold: z.number().min(0).default(0).describe('Drop features whose train variance is at or below this (scikit-learn VarianceThreshold); 0 drops constant features'),
  columns: columnList.optional().describe('Features to consider; default: every numeric feature'),
});

export const LinearRegressionParams = z.object({
  alpha: z.number().min(0).default(0).describe('L2 penalty (ridge); 0 = ordinary least squares'),
});

export const LogisticRegressionParams = z.object({
  C: z.number().gt(0).default(1).describe('Inverse L2 regularisation strength (as in scikit-learn)'),
  maxIter: z.number().int().min(1).max(100000).default(100).describe('Optimiser iterations'),
  tol: z.number().gt(0).default(1e-6).describe('Stop when the largest gradient component of the mean objective is below this'),
});

export const PredictParams = z.object({
  modelId: z.string().min(1).max(64).describe('Id of a trained model'),
});

export const EvaluateParams = z.object({
  positiveClass: z.string().max(256).optional().describe('Class treated as positive for binary metrics'),
});

/** Every node type, keyed by `type`. */
export const NODE_CATALOGUE = {
  dataset: {
    type: 'dataset',
    label: 'Dataset',
    category: 'data',
    description: 'An uploaded CSV dataset; chooses the target and feature columns.',
    inputs: [],
    outputs: [{ name: 'table', type: 'table' }],
    params: DatasetParams,
  },
  split: {
    type: 'split',
    label: 'Train/test split',
    category: 'transform',
    description: 'Assigns each row to train or test, deterministically from (seed, row id).',
    inputs: [{ name: 'table', type: 'table' }],
    outputs: [{ name: 'split', type: 'split' }],
    params: SplitParams,
  },
  impute: {
    type: 'impute',
    label: 'Impute missing values',
    category: 'transform',
    description: 'Fills missing values with statistics fitted on the train part.',
    inputs: [{ name: 'split', type: 'split' }],
    outputs: [{ name: 'split', type: 'split' }],
    params: ImputeParams,
  },
  scale: {
    type: 'scale',
    label: 'Scale',
    category: 'transform',
    description: 'Standardises numeric features with statistics fitted on the train part.',
    inputs: [{ name: 'split', type: 'split' }],
    outputs: [{ name: 'split', type: 'split' }],
    params: ScaleParams,
  },
  one_hot: {
    type: 'one_hot',
    label: 'One-hot encode',
    category: 'transform',
    description: 'Turns categorical features into 0/1 columns; unseen categories become all zeros.',
    inputs: [{ name: 'split', type: 'split' }],
    outputs: [{ name: 'split', type: 'split' }],
    params: OneHotParams,
  },
  ordinal: {
    type: 'ordinal',
    label: 'Ordinal encode',
    category: 'transform',
    description: 'Replaces each categorical feature by the index of its category in sorted order; unseen categories get unknownValue.',
    inputs: [{ name: 'split', type: 'split' }],
    outputs: [{ name: 'split', type: 'split' }],
    params: OrdinalParams,
  },
  target_encode: {
    type: 'target_encode',
    label: 'Target encode',
    category: 'transform',
    description:
      'Replaces each categorical feature by the smoothed mean of the target for its category, fitted out of fold on the train part; multiclass targets give one column per class; unseen categories get the target mean.',
    inputs: [{ name: 'split', type: 'split' }],
    outputs: [{ name: 'split', type: 'split' }],
    params: TargetEncodeParams,
    shardable: false,
  },
  datetime_features: {
    type: 'datetime_features',
    label: 'Datetime features',
    category: 'transform',
    description: 'Turns datetime columns into numeric calendar features (year, month, day of week, hour, …, epoch seconds), in UTC.',
    inputs: [{ name: 'split', type: 'split' }],
    outputs: [{ name: 'split', type: 'split' }],
    params: DatetimeFeaturesParams,
  },
  clip: {
    type: 'clip',
    label: 'Clip',
    category: 'transform',
    description: 'Limits numeric features to [lower, upper], given as values or as quantiles fitted on the train part.',
    inputs: [{ name: 'split', type: 'split' }],
    outputs: [{ name: 'split', type: 'split' }],
    params: ClipParams,
  },
  variance_threshold: {
    type: 'variance_threshold',
    label: 'Variance threshold',
    category: 'transform',
    description: 'Drops numeric features whose variance on the train part is at or below a threshold.',
    inputs: [{ name: 'split', type: 'split' }],
    outputs: [{ name: 'split', type: 'split' }],
    params: VarianceThresholdParams,
  },
  linear_regression: {
    type: 'linear_regression',
    label: 'Linear regression',
    category: 'model',
    description: 'Least squares (ridge when alpha > 0), solved exactly.',
    inputs: [{ name: 'split', type: 'split' }],
    outputs: [{ name: 'model', type: 'model' }],
    params: LinearRegressionParams,
    task: 'regression',
    acceptsMissing: false,
    dataParallel: true,
  },
  logistic_regression: {
    type: 'logistic_regression',
    label: 'Logistic regression',
    category: 'model',
    description: 'Binary or multinomial logistic regression with an L2 penalty, fitted by L-BFGS.',
    inputs: [{ name: 'split', type: 'split' }],
    outputs: [{ name: 'model', type: 'model' }],
    params: LogisticRegressionParams,
    task: 'classification',
    acceptsMissing: false,
    dataParallel: true,
  },
  ...EXTRA_MODEL_NODES,
  evaluate: {
    type: 'evaluate',
    label: 'Evaluate',
    category: 'evaluate',
    description: 'Holdout metrics of a model on the test part of its split.',
    inputs: [{ name: 'model', type: 'model' }],
    outputs: [{ name: 'metrics', type: 'metrics' }],
    params: EvaluateParams,
  },
  predict: {
    type: 'predict',
    label: 'Predict',
    category: 'evaluate',
    description: "Applies a trained model (with its fitted preprocessing) to every row of a table.",
    inputs: [{ name: 'table', type: 'table' }],
    outputs: [{ name: 'predictions', type: 'table' }],
    params: PredictParams,
  },
} satisfies Record<string, NodeTypeDef>;

export type NodeType = keyof typeof NODE_CATALOGUE;

/** Looks up a node type; undefined when unknown. */
export function nodeTypeDef(type: string): NodeTypeDef | undefined {
  return Object.prototype.hasOwnProperty.call(NODE_CATALOGUE, type)
    ? (NODE_CATALOGUE as Record<string, NodeTypeDef>)[type]
    : undefined;
}

/** Parsed params type of a node type. */
export type NodeParams<T extends NodeType> = z.output<(typeof NODE_CATALOGUE)[T]['params']>;

/**
 * The catalogue as plain JSON for the canvas: ports, and each params schema as JSON Schema
 * (draft 2020-12) with defaults and descriptions.
 */
export function catalogueAsJson(): Array<Omit<NodeTypeDef, 'params'> & { params: unknown }> {
  return Object.values(NODE_CATALOGUE as Record<string, NodeTypeDef>).map((d) => ({
    ...d,
    params: z.toJSONSchema(d.params, { io: 'input' }),
  }));
}
