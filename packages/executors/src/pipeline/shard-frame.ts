/**
 * One shard of a distributed pipeline as frames: the shard's batches are read through the
 * executor's cache, the target's present rows kept, and each row put in the train or test
 * part by `splitMask(rowId, seed)` — the dataset row id, so every shard agrees with every
 * other (and with the single-task pipeline's unstratified split) without a shuffle.
 */
import { splitMask } from '@weft/kernels';
import { WeftError, nodeTypeDef, type DistributedPipeline, type ShardRef } from '@weft/proto';
import { tableFromIPC } from 'apache-arrow';
import { readArrowIndex, readShard, type ShardData } from '../shards/arrow-file.js';
import { chooseFeatures, frameFromTable, kindOf, type DatasetParamsIn } from './dataset-frame.js';
import { gather, type ColumnKind, type Frame } from './frame.js';
import { numericColumn, stringValues } from './load.js';
import type { TaskContext } from './context.js';

/** The train and test rows of a shard with their targets. */
export interface ShardFrames {
  task: 'classification' | 'regression';
  target: string;
  train: Frame;
  test: Frame;
  /** Raw class names of the train/test rows (classification). */
  trainLabels?: string[];
  testLabels?: string[];
  trainValues?: Float64Array;
  testValues?: Float64Array;
  droppedMissing: number;
  inputColumns: Array<{ name: string; kind: ColumnKind; type: string }>;
  warnings: string[];
}

/** Reads a shard through `ctx.shards` (the cache) or straight from the store. */
export async function readShardData(p: DistributedPipeline, shard: ShardRef, ctx: TaskContext): Promise<ShardData> {
  if (ctx.shards) return ctx.shards.read(p.dataset.objectKey, shard.batchStart, shard.batchEnd);
  return readShard(ctx.store, p.dataset.objectKey, await readArrowIndex(ctx.store, p.dataset.objectKey), shard.batchStart, shard.batchEnd);
}

/** The pipeline's dataset and split params, and the model's task. @throws WeftError WORKFLOW_INVALID */
export function pipelineParts(p: DistributedPipeline) {
  const [dsStep, splitStep, ...rest] = p.steps;
  const modelStep = rest[rest.length - 1];
  if (dsStep?.type !== 'dataset' || splitStep?.type !== 'split' || !modelStep || modelStep.id !== p.modelNodeId) {
    throw new WeftError('WORKFLOW_INVALID', `Pipeline must run dataset → split → … → model, got ${p.steps.map((s) => s.type).join(' → ')}`);
  }
  const task = nodeTypeDef(modelStep.type)?.task;
  if (!task) throw new WeftError('WORKFLOW_INVALID', `Node "${modelStep.id}": "${modelStep.type}" is not a model`, { nodeId: modelStep.id, field: 'type' });
  if (task === 'clustering') throw new WeftError('WORKFLOW_INVALID', `Node "${modelStep.id}" (${modelStep.type}) has no distributed fit; set the split's distributed to "auto" or "off"`, { nodeId: modelStep.id, field: 'type' });
  const dsParams = dsStep.params as DatasetParamsIn;
  if (!dsParams.target) throw new WeftError('WORKFLOW_INVALID', `Node "${dsStep.id}": params.target is required to train`, { nodeId: dsStep.id, field: 'params.target' });
  const sp = splitStep.params as { testFraction: number; seed?: number };
  return { dsStep, splitStep, modelStep, transformSteps: rest.slice(0, -1), task, target: dsParams.target, dsParams, testFraction: sp.testFraction, seed: sp.seed ?? p.seed };
}

/** Loads a shard's train and test frames. @throws WeftError for bad targets or columns. */
export async function loadShardFrames(p: DistributedPipeline, shard: ShardRef, ctx: TaskContext): Promise<ShardFrames> {
  const parts = pipelineParts(p);
  const data = await readShardData(p, shard, ctx);
  const table = tableFromIPC(data.bytes);
  const { columns, warnings } = chooseFeatures(p.dataset.schema, parts.dsParams, p.steps);
  const inputColumns = columns.map((c) => ({ name: c.name, kind: kindOf(c), type: c.type }));
  const all = frameFromTable(table, inputColumns);
  const vec = table.getChild(parts.target);
  if (!vec) throw new WeftError('WORKFLOW_INVALID', `Target column "${parts.target}" is not in dataset ${p.dataset.id}`, { column: parts.target });
  const n = table.numRows;
  const isTest = splitMask(data.rowStart, n, parts.seed, parts.testFraction);
  const trainRows: number[] = [];
  const testRows: number[] = [];
  let labels: Array<string | null> | null = null;
  let values: Float64Array | Float32Array | null = null;
  if (parts.task === 'classification') labels = stringValues(vec);
  else values = numericColumn(vec).values;
  for (let i = 0; i < n; i++) {
    if (labels ? labels[i] === null : values![i] !== values![i]) continue;
    if (values && !Number.isFinite(values[i])) throw new WeftError('NON_FINITE_VALUES', `Target "${parts.target}" row ${data.rowStart + i + 1} is ${values[i]}`, { column: parts.target, row: data.rowStart + i + 1 });
    (isTest[i] ? testRows : trainRows).push(i);
  }
  const tr = Int32Array.from(trainRows);
  const te = Int32Array.from(testRows);
  return {
    task: parts.task,
    target: parts.target,
    train: gather(all, tr),
    test: gather(all, te),
    ...(labels ? { trainLabels: trainRows.map((i) => labels![i]!), testLabels: testRows.map((i) => labels![i]!) } : {}),
    ...(values ? { trainValues: Float64Array.from(tr, (i) => values![i]!), testValues: Float64Array.from(te, (i) => values![i]!) } : {}),
    droppedMissing: n - tr.length - te.length,
    inputColumns,
    warnings,
  };
}

/** A zero-row frame with the dataset's input columns (to replay fitted steps for their output columns). */
export function schemaFrame(p: DistributedPipeline): { frame: Frame; inputColumns: ShardFrames['inputColumns']; warnings: string[] } {
  const parts = pipelineParts(p);
  const { columns, warnings } = chooseFeatures(p.dataset.schema, parts.dsParams, p.steps);
  const inputColumns = columns.map((c) => ({ name: c.name, kind: kindOf(c), type: c.type }));
  return {
    frame: {
      nRows: 0,
      features: inputColumns.map((c) =>
        c.kind === 'categorical'
          ? { name: c.name, kind: 'categorical' as const, column: { codes: new Int32Array(0), dictionary: [], valid: null } }
          : { name: c.name, kind: c.kind, column: { values: new Float64Array(0), valid: null } },
      ),
    },
    inputColumns,
    warnings,
  };
}
