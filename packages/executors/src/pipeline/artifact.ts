/**
 * The model artifact: everything prediction needs (input columns and kinds, fitted
 * preprocessing steps in order, the model, class names), as one JSON document in the
 * object store at the task's `artifactKey`.
 */
import { z } from 'zod';
import { MODEL_TASKS, type ModelTask } from '@weft/proto';
import type { ColumnKind } from './frame.js';
import { FITTED_STEP_TYPES, type FittedStep } from './transforms.js';

export const MODEL_ARTIFACT_FORMAT = 'weft.model/1';

export interface ModelArtifact {
  format: typeof MODEL_ARTIFACT_FORMAT;
  modelId: string;
  nodeId: string;
  /** The model node type (a key of the model registry). */
  nodeType: string;
  task: ModelTask;
  datasetId: string;
  /** The target column; "" for a clustering model trained without one. */
  target: string;
  /** Class names in label order (classification). */
  classes: string[] | null;
  /** The columns the model reads from its input, with how they are read. */
  inputColumns: Array<{ name: string; kind: ColumnKind; type: string }>;
  steps: FittedStep[];
  /** Names of the model's input features after preprocessing, in matrix column order. */
  featureNames: string[];
  model: unknown;
  trainedAtMs: number;
}

const ArtifactShape = z.object({
  format: z.literal(MODEL_ARTIFACT_FORMAT),
  modelId: z.string(),
  nodeId: z.string(),
  nodeType: z.string(),
  task: z.enum(MODEL_TASKS),
  datasetId: z.string(),
  target: z.string(),
  classes: z.array(z.string()).nullable(),
  inputColumns: z.array(z.object({ name: z.string(), kind: z.enum(['numeric', 'categorical', 'datetime']), type: z.string() })),
  steps: z.array(z.object({ type: z.enum(FITTED_STEP_TYPES), nodeId: z.string(), columns: z.array(z.any()) }).passthrough()),
  featureNames: z.array(z.string()),
  model: z.unknown(),
  trainedAtMs: z.number(),
});

/** Parses a stored artifact. @throws Error describing what is wrong with it. */
export function parseArtifact(json: unknown): ModelArtifact {
  const r = ArtifactShape.safeParse(json);
  if (!r.success) throw new Error(`not a ${MODEL_ARTIFACT_FORMAT} artifact: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data as unknown as ModelArtifact;
}
