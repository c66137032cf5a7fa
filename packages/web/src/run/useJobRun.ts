/**
 * Submits a workflow and follows the job: live events over Socket.IO, with the job
 * document re-read every few seconds as a safety net (and once more when it ends, for the
 * final results). `attach` follows a job submitted elsewhere.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { watchJob } from '../api/live';
import { FINAL_JOB_STATES, type JobDoc, type WorkflowGraph } from '../api/types';
import { applyEvent, runsFromJob, type RunMap } from './run-state';

const POLL_MS = 2500;

export interface JobRun {
  job: JobDoc | null;
  runs: RunMap;
  submitting: boolean;
  start: (graph: WorkflowGraph, workflowId?: string) => Promise<JobDoc>;
  attach: (jobId: string) => void;
  cancel: () => Promise<void>;
  clear: () => void;
}

export function useJobRun(onFinal?: (job: JobDoc, runs: RunMap) => void): JobRun {
  const [job, setJob] = useState<JobDoc | null>(null);
  const [runs, setRuns] = useState<RunMap>({});
  const [submitting, setSubmitting] = useState(false);
  const stop = useRef<() => void>(() => undefined);
  const current = useRef<string | null>(null);
  const runsRef = useRef<RunMap>({});
  const finalRef = useRef(onFinal);
  finalRef.current = onFinal;

  const setRunsBoth = (f: (r: RunMap) => RunMap) =>
    setRuns((r) => {
      const n = f(r);
      runsRef.current = n;
      return n;
    });

  const follow = useCallback((jobId: string) => {
    stop.current();
    current.current = jobId;
    let finished = false;
    const finish = async () => {
      if (finished) return;
      finished = true;
      try {
        const j = await api.job(jobId);
        if (current.current !== jobId) return;
        setJob(j);
        setRunsBoth((r) => runsFromJob(j, r));
        finalRef.current?.(j, runsRef.current);
      } catch {
        /* keep what the events said */
      }
      stop.current();
    };
    const unwatch = watchJob(jobId, (e) => {
      if (current.current !== jobId) return;
      setRunsBoth((r) => applyEvent(r, e));
      if (e.type === 'job_state') {
        setJob((j) => (j ? { ...j, state: e.state, errorCode: e.errorCode ?? j.errorCode, errorMessage: e.errorMessage ?? j.errorMessage } : j));
        if (FINAL_JOB_STATES.has(e.state)) void finish();
      }
    });
    const timer = window.setInterval(() => {
      api.job(jobId).then(
        (j) => {
          if (current.current !== jobId) return;
          setJob(j);
          if (FINAL_JOB_STATES.has(j.state)) void finish();
          else setRunsBoth((r) => (Object.keys(r).length === 0 ? runsFromJob(j, r) : r));
        },
        () => undefined,
      );
    }, POLL_MS);
    stop.current = () => {
      unwatch();
      window.clearInterval(timer);
      stop.current = () => undefined;
    };
  }, []);

  useEffect(() => () => stop.current(), []);

  const start = useCallback(
    async (graph: WorkflowGraph, workflowId?: string) => {
      setSubmitting(true);
      try {
        const j = await api.submitJob(graph, workflowId);
        setJob(j);
        const queued: RunMap = {};
        for (const n of graph.nodes) queued[n.id] = { state: 'queued' };
        runsRef.current = queued;
        setRuns(queued);
        follow(j.id);
        return j;
      } finally {
        setSubmitting(false);
      }
    },
    [follow],
  );

  const attach = useCallback(
    (jobId: string) => {
      setRunsBoth(() => ({}));
      api.job(jobId).then((j) => {
        setJob(j);
        setRunsBoth(() => runsFromJob(j));
        if (!FINAL_JOB_STATES.has(j.state)) follow(j.id);
      }, () => undefined);
    },
    [follow],
  );

  const cancel = useCallback(async () => {
    if (!current.current) return;
    const j = await api.cancelJob(current.current);
    setJob(j);
  }, []);

  const clear = useCallback(() => {
    stop.current();
    current.current = null;
    setJob(null);
    setRunsBoth(() => ({}));
  }, []);

  return { job, runs, submitting, start, attach, cancel, clear };
}
