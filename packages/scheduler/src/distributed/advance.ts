/**
 * Stage machine of a distributed group (one model node trained data-parallel). Pure: given
 * the group's tasks (specs and results, as stored) and the shard task that just succeeded,
 * it returns the next stage's tasks, or a failure. The state of a group is nothing but its
 * task rows, so a restarted scheduler resumes where the database says it was.
 *
 * | stage (round r)  | when all shards of the round succeeded                                  |
 * | ---------------- | ----------------------------------------------------------------------- |
 * | fit r            | merge; classes from labels (r = 0); next fit r+1, or train 0            |
 * | train r (linear) | merge X^T X… sums → eval 0 (or finalize)                                |
 * | train r (logit)  | merge loss/grad → L-BFGS driver: train r+1 at the trial point, or eval 0 |
 * | eval 0           | merge confusion counts / histograms / residual sums → finalize          |
 */
import { nodeTypeDef, type FinalizeSpec, type GroupState, type ShardMapSpec, type ShardStats, type TaskResult } from '@weft/proto';
import { lbfgsStep, type LbfgsDriverState } from './lbfgs-driver.js';
import { mergeAll } from './merge.js';

/** The slice of a task the group machine reads. */
export interface GroupTask {
  id: string;
  kind: string;
  state: string;
  spec?: unknown;
  result: TaskResult | null;
}

/** A task to insert. */
export interface NewTask {
  id: string;
  kind: 'shard_map' | 'finalize';
  spec: ShardMapSpec | FinalizeSpec;
  nodeIds: string[];
}

/** What the group machine decided. */
export type Advance =
  | { type: 'wait' }
  | { type: 'next'; tasks: NewTask[]; progress?: { nodeId: string; round: number; loss?: number; message: string } }
  | { type: 'fail'; code: string; message: string };

/** Deterministic id of a group's task: `<group>_<f|t|e><round>_<shard>`, or `<group>_final`. */
export function groupTaskId(group: string, stage: ShardMapSpec['stage'] | 'finalize', round: number, shard: number): string {
  return stage === 'finalize' ? `${group}_final` : `${group}_${stage[0]}${round}_${shard}`;
}

/** Sorts class names numerically when all are numbers, else by code unit (as the single-task pipeline). */
export function sortClasses(names: Iterable<string>): string[] {
  const arr = [...new Set(names)];
  const numeric = arr.every((s) => s.trim() !== '' && Number.isFinite(Number(s)));
  return numeric ? arr.sort((a, b) => Number(a) - Number(b)) : arr.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every node a group's finalize task reports on. */
export function groupNodeIds(p: ShardMapSpec['pipeline']): string[] {
  return [...p.steps.map((s) => s.id), ...p.evaluators.map((e) => e.id)];
}

function shardTasks(spec: ShardMapSpec, stage: ShardMapSpec['stage'], round: number, state: GroupState, shards: ShardMapSpec['shard'][], driver?: unknown): NewTask[] {
  return shards.map((shard) => ({
    id: groupTaskId(spec.group, stage, round, shard.index),
    kind: 'shard_map',
    nodeIds: [],
    spec: { kind: 'shard_map', group: spec.group, stage, round, shardCount: spec.shardCount, shard, pipeline: spec.pipeline, state, ...(driver && shard.index === shards[0]!.index ? { driver } : {}) },
  }));
}

function finalizeTask(spec: ShardMapSpec, state: GroupState, evalStats?: ShardStats): NewTask {
  return {
    id: groupTaskId(spec.group, 'finalize', 0, 0),
    kind: 'finalize',
    nodeIds: groupNodeIds(spec.pipeline),
    spec: { kind: 'finalize', group: spec.group, shardCount: spec.shardCount, pipeline: spec.pipeline, state, ...(evalStats ? { eval: evalStats } : {}) },
  };
}

function afterTraining(spec: ShardMapSpec, state: GroupState, shards: ShardMapSpec['shard'][]): NewTask[] {
  return spec.pipeline.evaluators.length > 0 ? shardTasks(spec, 'eval', 0, state, shards) : [finalizeTask(spec, state)];
}

/**
 * Decides what follows `reported` (a shard task of the group that just succeeded).
 * `tasks` are all tasks of the job (other groups are ignored).
 */
export function advanceGroup(tasks: readonly GroupTask[], reported: GroupTask, sketchSize: number): Advance {
  const spec = reported.spec as ShardMapSpec;
  const round = tasks.filter((t) => {
    const s = t.spec as ShardMapSpec | undefined;
    return t.kind === 'shard_map' && s?.group === spec.group && s.stage === spec.stage && s.round === spec.round;
  });
  if (round.length < spec.shardCount || round.some((t) => t.state !== 'succeeded' || !t.result?.shard)) return { type: 'wait' };
  const specs = round.map((t) => t.spec as ShardMapSpec).sort((a, b) => a.shard.index - b.shard.index);
  const shards = specs.map((s) => s.shard);
  const byShard = new Map(round.map((t) => [(t.spec as ShardMapSpec).shard.index, t.result!.shard!]));
  const merged = mergeAll(shards.map((s) => byShard.get(s.index)!), sketchSize);
  const p = spec.pipeline;
  const modelStep = p.steps[p.steps.length - 1]!;
  const task = nodeTypeDef(modelStep.type)?.task;
  const nTransforms = Math.max(0, p.steps.length - 3);
  const state: GroupState = structuredClone(spec.state);
  // Any shard spec of the round carries the driver state (shard 0's, by construction).
  const driver = specs.find((s) => s.driver !== undefined)?.driver as LbfgsDriverState | undefined;

  if (spec.stage === 'fit') {
    if (spec.round === 0) {
      if (merged.rowsTrain === 0) return { type: 'fail', code: 'EMPTY_SPLIT', message: `Node "${p.steps[1]?.id}": the train part is empty (${merged.rowsTrain + merged.rowsTest} rows)` };
      if (task === 'classification') {
        const classes = sortClasses(Object.keys(merged.labelCounts ?? {}));
        if (classes.length < 2) return { type: 'fail', code: 'TARGET_SINGLE_CLASS', message: `Target has ${classes.length === 0 ? 'no values' : `a single class ("${classes[0]}")`}: a classifier needs at least two` };
        const absent = classes.filter((c) => !(merged.trainLabelCounts ?? {})[c]);
        if (absent.length) return { type: 'fail', code: 'CLASS_MISSING_FROM_TRAIN', message: `Class(es) ${absent.map((c) => `"${c}"`).join(', ')} have no rows in the train part; use more data or another seed` };
        state.classes = classes;
      }
    }
    if (nTransforms > 0) state.prep = [...state.prep, merged];
    if (spec.round + 1 < nTransforms) return { type: 'next', tasks: shardTasks(spec, 'fit', spec.round + 1, state, shards), progress: { nodeId: p.steps[3 + spec.round]?.id ?? modelStep.id, round: spec.round, message: `fitted step ${spec.round + 1} of ${nTransforms} over ${shards.length} shards` } };
    return { type: 'next', tasks: shardTasks(spec, 'train', 0, state, shards) };
  }

  if (spec.stage === 'train') {
    if (modelStep.type === 'linear_regression') {
      state.train = merged;
      state.rounds = 1;
      state.converged = true;
      return { type: 'next', tasks: afterTraining(spec, state, shards), progress: { nodeId: modelStep.id, round: 1, message: 'normal equations merged' } };
    }
    const mp = modelStep.params as { C?: number; tol?: number; maxIter?: number };
    const grad = merged.vectors?.grad;
    const nFeatures = Number(merged.meta?.nFeatures);
    if (!grad || !Number.isInteger(nFeatures)) return { type: 'fail', code: 'INTERNAL', message: `group ${spec.group}: train round ${spec.round} returned no gradient` };
    const trial = state.params ?? new Array<number>(grad.length).fill(0);
    const out = lbfgsStep(driver ?? null, trial, merged.scalars?.loss ?? 0, grad, { C: mp.C ?? 1, tol: mp.tol ?? 1e-6, maxIter: mp.maxIter ?? 100, nFeatures, nRows: merged.rowsTrain });
    state.rounds = spec.round + 1;
    if (!out.done) {
      if (driver && out.state.iter > driver.iter) state.lossCurve = [...state.lossCurve, out.loss];
      state.params = out.trial;
      return { type: 'next', tasks: shardTasks(spec, 'train', spec.round + 1, state, shards, out.state), progress: { nodeId: modelStep.id, round: spec.round + 1, loss: out.loss, message: `round ${spec.round + 1}: objective ${out.loss.toPrecision(6)}` } };
    }
    state.params = out.x;
    state.lossCurve = [...state.lossCurve, out.loss];
    state.converged = out.converged;
    return { type: 'next', tasks: afterTraining(spec, state, shards), progress: { nodeId: modelStep.id, round: spec.round + 1, loss: out.loss, message: `trained in ${out.iter} iterations (${spec.round + 1} rounds)` } };
  }

  // eval
  return { type: 'next', tasks: [finalizeTask(spec, state, merged)] };
}
