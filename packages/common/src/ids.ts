import { randomUUID } from 'node:crypto';

/** A new opaque id with a readable prefix, e.g. `job_3f2c…` (prefix + 32 hex digits). */
export function newId(prefix: 'ds' | 'wf' | 'job' | 'task' | 'model' | 'exe'): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}

/** Ids the services accept from clients: the form `newId` produces. */
export const ID_RE = /^(ds|wf|job|task|model|exe)_[0-9a-f]{32}$/;
