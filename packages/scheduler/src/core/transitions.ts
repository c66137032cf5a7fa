/** Checked state changes: every job/task state change in the core goes through these. */
import { canTransitionJob, canTransitionTask, type JobState, type TaskState } from '@weft/proto';
import type { JobSnapshot, TaskSnapshot } from './types.js';

/** Thrown when the core would make a transition the state tables forbid (a bug). */
export class IllegalTransitionError extends Error {
  constructor(what: string, from: string, to: string) {
    super(`illegal ${what} transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** Moves a job to `to`. @throws IllegalTransitionError */
export function moveJob(job: JobSnapshot, to: JobState): void {
  if (job.state === to) return;
  if (!canTransitionJob(job.state, to)) throw new IllegalTransitionError(`job ${job.id}`, job.state, to);
  job.state = to;
}

/** Moves a task to `to`. @throws IllegalTransitionError */
export function moveTask(task: TaskSnapshot, to: TaskState): void {
  if (task.state === to) return;
  if (!canTransitionTask(task.state, to)) throw new IllegalTransitionError(`task ${task.id}`, task.state, to);
  task.state = to;
}
