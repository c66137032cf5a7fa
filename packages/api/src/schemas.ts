/**
 * Zod schemas of every request the api accepts (bodies, queries, path params) and of the
 * main responses. They validate requests and generate the OpenAPI document.
 */
import { z } from 'zod';
import { COLUMN_ROLES, COLUMN_TYPES, ColumnTypeSchema, DatasetSchemaDoc, JOB_STATES, MODEL_TASKS, WorkflowGraphSchema } from '@weft/proto';

/** Characters of every id the api hands out (`ds_…`, `job_…`, `default`, …): nothing else reaches a query. */
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const Id = z.string().regex(ID_PATTERN, 'is not an id (letters, digits, _ . -; at most 64)');
export const IdParams = z.object({ id: Id });

/** C0/C1 control characters and bidirectional overrides, refused in names. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A human-readable name: trimmed, 1–256 characters, no control or bidi-override characters. */
export const SafeName = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control or bidirectional-override characters');

export const ErrorEnvelopeSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** "true"/"1"/"yes" (any case) are true; anything else false. */
const boolish = z.union([z.boolean(), z.string()]).transform((v) => (typeof v === 'boolean' ? v : /^(true|1|yes|on)$/i.test(v.trim())));

/** A JSON-encoded value in a form field or query parameter. */
function jsonField<S extends z.ZodType>(schema: S) {
  return z.union([z.string(), schema]).transform((v, ctx) => {
    if (typeof v !== 'string') return v as z.output<S>;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
    const r = schema.safeParse(parsed);
    if (!r.success) {
      for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: i.path });
      return z.NEVER;
    }
    return r.data as z.output<S>;
  });
}

/** Options of a CSV upload: multipart form fields, or query parameters with a text/csv body. */
export const UploadOptionsSchema = z.object({
  name: SafeName.optional().describe('Dataset name; default: the file name'),
  skipBadRows: boolish.optional().describe('Skip rows with the wrong number of fields instead of failing'),
  delimiter: z
    .string()
    .refine((s) => s === '\\t' || s.length === 1, 'one character (or \\t)')
    .transform((s) => (s === '\\t' ? '\t' : s))
    .optional()
    .describe('Field delimiter; default: detected'),
  nullTokens: jsonField(z.array(z.string().max(64)).max(100)).optional().describe('JSON array of strings read as missing'),
  columnNullTokens: jsonField(z.record(z.string().min(1).max(256), z.array(z.string().max(64)).max(100)))
    .refine((r) => Object.keys(r).length <= 1000, 'at most 1,000 columns')
    .optional()
    .describe('JSON object: column name → array of strings read as missing in that column (replaces nullTokens there)'),
  typeOverrides: jsonField(z.record(z.string(), ColumnTypeSchema)).optional().describe('JSON object: column name → type'),
});
export type UploadOptions = z.output<typeof UploadOptionsSchema>;

/** Documentation-only: the multipart form of an upload. */
export const UploadFormSchema = z.object({
  file: z.string().describe('The CSV file (binary)'),
  name: z.string().optional(),
  skipBadRows: z.string().optional().describe('"true" to skip bad rows'),
  delimiter: z.string().optional(),
  nullTokens: z.string().optional().describe('JSON array of strings'),
  columnNullTokens: z.string().optional().describe('JSON object: column → array of strings'),
  typeOverrides: z.string().optional().describe(`JSON object: column → one of ${COLUMN_TYPES.join(', ')}`),
});

export const PatchSchemaBody = z.object({
  columns: z
    .record(z.string().min(1).max(256), z.object({ type: ColumnTypeSchema.optional(), role: z.enum(COLUMN_ROLES).optional() }).strict())
    .refine((c) => Object.keys(c).length > 0, 'name at least one column'),
});

export const DatasetListSchema = z.object({ datasets: z.array(DatasetSchemaDoc) });

export const WorkflowBody = z.object({
  name: SafeName.optional().describe('Default: graph.name or "Untitled workflow"'),
  graph: WorkflowGraphSchema,
});

export const WorkflowDocSchema = z.object({
  id: z.string(),
  name: z.string(),
  graph: WorkflowGraphSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ValidateBody = z.union([
  z.object({ graph: z.unknown(), requireModel: z.boolean().optional() }),
  WorkflowGraphSchema,
]);

export const ValidateResponse = z.object({
  valid: z.boolean(),
  issues: z.array(z.object({ code: z.string(), message: z.string(), nodeId: z.string().optional(), field: z.string().optional() })),
});

export const SubmitJobBody = z
  .object({
    workflow: z.unknown().optional().describe('A workflow graph'),
    workflowId: Id.optional().describe('Id of a stored workflow (used when `workflow` is absent)'),
    idempotencyKey: z.string().min(1).max(128).optional(),
  })
  .refine((b) => b.workflow !== undefined || b.workflowId !== undefined, { message: 'give workflow or workflowId', path: ['workflow'] });

export const ListJobsQuery = z.object({
  state: z.enum(JOB_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(512).optional(),
});

/** Columns GET /api/datasets may order by. */
export const DATASET_SORTS = ['createdAt', 'name', 'rowCount', 'byteSize'] as const;
export type DatasetSort = (typeof DATASET_SORTS)[number];

/** The position a keyset cursor names: the sort value and id of the last dataset of a page. */
export interface DatasetCursor {
  /** `createdAt` as epoch milliseconds, `name` as text, `rowCount`/`byteSize` as numbers. */
  value: string | number;
  id: string;
}

/** Encodes the position after `(value, id)` as an opaque cursor (base64url of JSON `[value, id]`). */
export function encodeDatasetCursor(c: DatasetCursor): string {
  return Buffer.from(JSON.stringify([c.value, c.id]), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeDatasetCursor} for a listing ordered by `sort`.
 * @returns the position, or a reason the cursor is not one
 */
export function decodeDatasetCursor(raw: string, sort: DatasetSort): DatasetCursor | string {
  if (!/^[A-Za-z0-9_-]{1,1500}$/.test(raw)) return 'a cursor is the nextCursor of the previous page';
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return 'a cursor is the nextCursor of the previous page';
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[1] !== 'string' || !ID_PATTERN.test(v[1])) {
    return 'a cursor is the nextCursor of the previous page';
  }
  const value: unknown = v[0];
  if (sort === 'name') {
    if (typeof value !== 'string' || value.length > 256) return `this cursor was not made for sort=${sort}`;
  } else if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return `this cursor was not made for sort=${sort}`;
  }
  return { value, id: v[1] };
}

export const ListDatasetsQuery = z.object({
  sort: z.enum(DATASET_SORTS).default('createdAt').describe('Column to order by'),
  order: z.enum(['asc', 'desc']).default('desc'),
  name: z.string().max(256).optional().describe('Only datasets whose name contains this text (literal, case-sensitive)'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Datasets per page'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,1500}$/, 'a cursor is the nextCursor of the previous page')
    .optional()
    .describe('`nextCursor` of the previous page (opaque; use it with the same sort and order)'),
});

export const EventsQuery = z.object({
  afterSeq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});

export const JobDocSchema = z.object({
  id: z.string(),
  state: z.enum(JOB_STATES),
  workflowId: z.string().nullable(),
  workflow: z.unknown(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  createdAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  result: z.object({ nodes: z.record(z.string(), z.unknown()) }),
  tasks: z.array(z.unknown()),
});

export const PredictJsonBody = z.object({
  rows: z
    .array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])))
    .min(1)
    .max(100_000),
});

export const PredictResponse = z.object({
  modelId: z.string(),
  jobId: z.string(),
  datasetId: z.string(),
  rowCount: z.number().int(),
  predictions: z.array(z.unknown()),
  distances: z.array(z.number()).optional().describe('Clustering models: each row’s distance to its cluster centre'),
  probabilities: z.array(z.array(z.number())).optional().describe('Classifiers with probabilities: per row, one per class in `classes` order'),
  classes: z.array(z.string()).optional(),
  missingCategories: z.record(z.string(), z.unknown()).optional().describe('Per column: rows whose category was missing'),
  unseenCategories: z
    .record(z.string(), z.object({ count: z.number().int(), values: z.array(z.string()) }))
    .describe('Per column: rows whose category training never saw, and those values'),
  invalidValues: z
    .record(
      z.string(),
      z.object({
        type: ColumnTypeSchema.describe("The column's type in the training data"),
        count: z.number().int().describe('Values that could not be read as that type (predicted as missing)'),
        lines: z.array(z.number().int()).describe('1-based CSV lines of the first few (line 1 is the header)'),
        rows: z.array(z.number().int()).optional().describe('JSON input: 0-based indices into `rows` of the first few'),
      }),
    )
    .describe('Per column the model reads: values that did not fit its type (e.g. "four" in a numeric column) and were treated as missing'),
});

export const ModelDocSchema = z.object({
  id: z.string(),
  jobId: z.string(),
  nodeId: z.string(),
  nodeType: z.string(),
  task: z.enum(MODEL_TASKS),
  /** "" for a clustering model trained without a target. */
  target: z.string(),
  datasetId: z.string(),
  metrics: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  database: z.enum(['ok', 'down']),
  objectStore: z.enum(['ok', 'down']),
  scheduler: z.enum(['ok', 'down']),
  fanOut: z.enum(['ok', 'down']),
});
