/**
 * Job and task state machines. The scheduler is the only writer of these states; every
 * transition it makes must be listed here (see DESIGN.md "State and failure").
 */

/** Lifecycle of a job: `pending → queued → running → completed | failed | cancelled`. */
export const JOB_STATES = ['pending', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Lifecycle of one task attempt chain: `pending → leased → running → succeeded | failed | cancelled`. */
export const TASK_STATES = ['pending', 'leased', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** States a job never leaves. */
export const FINAL_JOB_STATES: ReadonlySet<JobState> = new Set(['completed', 'failed', 'cancelled']);
/** States a task never leaves. */
export const FINAL_TASK_STATES: ReadonlySet<TaskState> = new Set(['succeeded', 'failed', 'cancelled']);

/** Allowed job transitions, `from → allowed targets`. */
export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  pending: ['queued', 'failed', 'cancelled'],
  queued: ['running', 'failed', 'cancelled'],
  running: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

/**
 * Allowed task transitions. `leased → pending` and `running → pending` are lease
 * expiries (re-queued with attempt + 1).
 */
export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  pending: ['leased', 'cancelled', 'failed'],
  leased: ['running', 'pending', 'succeeded', 'failed', 'cancelled'],
  running: ['succeeded', 'failed', 'pending', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

/** True when `from → to` is a legal job transition. */
export function canTransitionJob(from: JobState, to: JobState): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

/** True when `from → to` is a legal task transition. */
export function canTransitionTask(from: TaskState, to: TaskState): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

export function isJobState(s: string): s is JobState {
  return (JOB_STATES as readonly string[]).includes(s);
}
