/** @weft/scheduler: the gRPC scheduler (JobService, ExecutorService), planner and pure core. */
export { startScheduler, type SchedulerHandle, type SchedulerOptions } from './server.js';
export { planJob, pathFromDataset, type PlanInput, type PlannedTask, type PlanDataset, type PlanModel } from './plan/planner.js';
export { checkTrainingData, type CheckDataset } from './plan/training-checks.js';
export * as core from './core/index.js';
