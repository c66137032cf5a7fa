/**
 * Dataset contracts: the inferred schema of an uploaded CSV and its per-column profile.
 * The Arrow IPC file stored for a dataset has one field per schema column, in order:
 * integer → Int64 (or Int32), float → Float64, boolean → Bool, categorical → Dictionary<Int32, Utf8>,
 * datetime → TimestampMillisecond (UTC), text / identifier → Utf8. Missing values are Arrow nulls.
 */
import { z } from 'zod';

export const COLUMN_TYPES = ['integer', 'float', 'boolean', 'categorical', 'datetime', 'text', 'identifier'] as const;
export const ColumnTypeSchema = z.enum(COLUMN_TYPES);
export type ColumnType = z.infer<typeof ColumnTypeSchema>;

/** Column types models can consume as numbers directly. */
export const NUMERIC_TYPES: ReadonlySet<ColumnType> = new Set(['integer', 'float', 'boolean']);

export const COLUMN_ROLES = ['feature', 'target', 'ignore'] as const;
export const ColumnRoleSchema = z.enum(COLUMN_ROLES);
export type ColumnRole = z.infer<typeof ColumnRoleSchema>;

export const TopCategorySchema = z.object({ value: z.string(), count: z.number().int() });

export const HistogramSchema = z.object({
  /** Bin edges, length bins + 1. */
  edges: z.array(z.number()),
  counts: z.array(z.number().int()),
});

/** Per-column statistics computed at ingest over every row. Undefined statistics are null. */
export const ColumnProfileSchema = z.object({
  count: z.number().int(),
  missing: z.number().int(),
  distinct: z.number().int().nullable(),
  zeros: z.number().int().nullable().optional(),
  positiveInfinity: z.number().int().optional(),
  negativeInfinity: z.number().int().optional(),
  min: z.union([z.number(), z.string()]).nullable().optional(),
  max: z.union([z.number(), z.string()]).nullable().optional(),
  mean: z.number().nullable().optional(),
  std: z.number().nullable().optional(),
  quantiles: z.record(z.string(), z.number().nullable()).optional(),
  histogram: HistogramSchema.nullable().optional(),
  topCategories: z.array(TopCategorySchema).optional(),
  trueCount: z.number().int().optional(),
  falseCount: z.number().int().optional(),
});
export type ColumnProfile = z.infer<typeof ColumnProfileSchema>;

export const ColumnSchemaSchema = z.object({
  name: z.string(),
  type: ColumnTypeSchema,
  role: ColumnRoleSchema.default('feature'),
  /** Name as written in the CSV header when it had to be renamed (duplicate or empty). */
  originalName: z.string().optional(),
  /** Categorical values in dictionary order (categorical columns only). */
  categories: z.array(z.string()).optional(),
  /** Values seen that did not fit the column's type (they are stored as missing). */
  invalidCount: z.number().int().optional(),
});
export type ColumnSchema = z.infer<typeof ColumnSchemaSchema>;

export const DatasetSchemaSchema = z.object({ columns: z.array(ColumnSchemaSchema) });
export type DatasetSchema = z.infer<typeof DatasetSchemaSchema>;

export const DatasetWarningSchema = z.object({
  code: z.string(),
  message: z.string(),
  column: z.string().optional(),
  rows: z.array(z.number().int()).optional(),
});
export type DatasetWarning = z.infer<typeof DatasetWarningSchema>;

export const DatasetProfileSchema = z.object({
  columns: z.record(z.string(), ColumnProfileSchema),
  /** Pearson correlations between numeric columns: names and a square matrix (null where undefined). */
  correlations: z.object({ columns: z.array(z.string()), matrix: z.array(z.array(z.number().nullable())) }).optional(),
});
export type DatasetProfile = z.infer<typeof DatasetProfileSchema>;

/** A stored dataset as the api returns it. */
export const DatasetSchemaDoc = z.object({
  id: z.string(),
  name: z.string(),
  rowCount: z.number().int(),
  byteSize: z.number().int(),
  batchCount: z.number().int(),
  schema: DatasetSchemaSchema,
  profile: DatasetProfileSchema,
  warnings: z.array(DatasetWarningSchema),
  objectKey: z.string(),
  createdAt: z.string(),
});
export type DatasetDoc = z.infer<typeof DatasetSchemaDoc>;
