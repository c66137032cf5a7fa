/**
 * The Jobs screen: every job with state, duration and best metric (kept current live), and
 * the selected job's per-node states and results.
 */
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { watchJob } from '../api/live';
import { FINAL_JOB_STATES, type JobDoc } from '../api/types';
import { canvasBus } from '../canvas/bus';
import { bestMetric } from '../results/metrics';
import { ResultsView } from '../results/ResultsView';
import { runsFromJob } from '../run/run-state';
import { href, navigate } from '../shell/route';
import { Button, EmptyState, ErrorNote, NODE_STATE_LABEL, Panel, Spinner, StateBadge } from '../ui/kit';
import { fmtDuration, fmtNum, fmtWhen } from '../ui/format';
import { useToast } from '../ui/toast';

const REFRESH_MS = 5000;

export function JobsPage({ selectedId }: { selectedId?: string }) {
  const [jobs, setJobs] = useState<JobDoc[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refreshTimer = useRef<number | undefined>(undefined);

  const refresh = () =>
    api.jobs(100).then(
      (j) => {
        setJobs(j);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );

  useEffect(() => {
    void refresh();
    const t = window.setInterval(() => void refresh(), REFRESH_MS);
    return () => window.clearInterval(t);
  }, []);

  // Live: follow every unfinished job and re-read the list (coalesced) when one moves.
  const openIds = (jobs ?? []).filter((j) => !FINAL_JOB_STATES.has(j.state)).map((j) => j.id).join(',');
  useEffect(() => {
    const offs = openIds
      .split(',')
      .filter(Boolean)
      .map((id) =>
        watchJob(id, (e) => {
          if (e.type !== 'job_state' && e.type !== 'node_result') return;
          window.clearTimeout(refreshTimer.current);
          refreshTimer.current = window.setTimeout(() => void refresh(), 250);
        }),
      );
    return () => offs.forEach((off) => off());
  }, [openIds]);

  const current = selectedId ?? jobs?.[0]?.id;
  return (
    <div className="split-layout jobs-layout">
      <main className="content jobs-list">
        <div className="content-head">
          <div>
            <h1 className="page-title">Jobs</h1>
            <p className="muted">Every run, newest first. Select one for its per-node results.</p>
          </div>
        </div>
        {error && <ErrorNote>Could not load jobs: {error}</ErrorNote>}
        {jobs === null && !error && <Spinner />}
        {jobs && jobs.length === 0 && (
          <EmptyState icon="jobs" title="No jobs yet">
            Build a workflow on the <a href="#/canvas">canvas</a> and press Run.
          </EmptyState>
        )}
        {jobs && jobs.length > 0 && (
          <div className="table-wrap">
            <table className="table jobs-table" aria-label="Jobs">
              <thead>
                <tr>
                  <th>Workflow</th>
                  <th>State</th>
                  <th>Submitted</th>
                  <th className="num">Duration</th>
                  <th>Best metric</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => {
                  const best = bestMetric(j);
                  return (
                    <tr key={j.id} className={j.id === current ? 'active' : ''} data-job-id={j.id} onClick={() => navigate({ page: 'jobs', id: j.id })}>
                      <td>
                        <a href={href({ page: 'jobs', id: j.id })} className="strong">
                          {j.workflow?.name ?? 'Untitled'}
                        </a>
                        <div className="muted small mono">{j.id.slice(0, 16)}</div>
                      </td>
                      <td>
                        <StateBadge state={j.state} />
                        {j.errorCode && <div className="small text-danger">{j.errorCode}</div>}
                      </td>
                      <td>{fmtWhen(j.createdAt)}</td>
                      <td className="num">{fmtDuration(j.durationMs)}</td>
                      <td>{best ? <span><strong>{fmtNum(best.value, 4)}</strong> <span className="muted">{best.name.replace(/_/g, ' ')}</span></span> : <span className="muted">—</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </main>
      <aside className="detail" aria-label="Job detail">
        {current ? <JobDetail id={current} summary={jobs?.find((j) => j.id === current)} /> : <EmptyState icon="jobs" title="No job selected" />}
      </aside>
    </div>
  );
}

function JobDetail({ id, summary }: { id: string; summary: JobDoc | undefined }) {
  const [job, setJob] = useState<JobDoc | null>(null);
  const toast = useToast();
  useEffect(() => {
    setJob(null);
    api.job(id).then(setJob, () => undefined);
  }, [id]);
  // Re-read when the list shows a change of state.
  useEffect(() => {
    if (summary && job && summary.state !== job.state) api.job(id).then(setJob, () => undefined);
  }, [summary?.state, job?.state, id]);
  if (!job) return <Spinner label="Loading job" />;
  const runs = runsFromJob(job);
  const order = job.workflow?.nodes.map((n) => n.id) ?? Object.keys(runs);
  const typeOf = new Map(job.workflow?.nodes.map((n) => [n.id, n.type]) ?? []);
  const final = FINAL_JOB_STATES.has(job.state);
  return (
    <div className="job-detail">
      <div className="content-head">
        <div>
          <h2 className="content-title">{job.workflow?.name ?? 'Untitled'}</h2>
          <p className="muted small mono">{job.id}</p>
        </div>
        <div className="row-gap">
          {!final && (
            <Button
              variant="danger"
              icon="stop"
              aria-label="Cancel job"
              onClick={() =>
                api.cancelJob(job.id).then(setJob, (e: Error) => toast(e.message, 'danger'))
              }
            >
              Cancel
            </Button>
          )}
          {job.workflow && (
            <Button
              icon="canvas"
              onClick={() => {
                canvasBus.emit({ kind: 'open-graph', graph: job.workflow!, name: job.workflow!.name ?? 'From job', jobId: job.id, ...(job.workflowId ? { workflowId: job.workflowId } : {}) });
                navigate({ page: 'canvas' });
              }}
            >
              Open in canvas
            </Button>
          )}
        </div>
      </div>
      <dl className="kv">
        <div>
          <dt>State</dt>
          <dd>
            <StateBadge state={job.state} />
          </dd>
        </div>
        <div>
          <dt>Submitted</dt>
          <dd>{fmtWhen(job.createdAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{fmtDuration(job.durationMs)}</dd>
        </div>
        <div>
          <dt>Tasks</dt>
          <dd>
            {job.tasks.length} ({job.tasks.map((t) => `attempt ${t.attempt}${t.executorId ? ` on ${t.executorId}` : ''}`).join(', ') || '—'})
          </dd>
        </div>
      </dl>
      {job.errorCode && (
        <ErrorNote>
          <strong>{job.errorCode}</strong>
          <div>{job.errorMessage}</div>
        </ErrorNote>
      )}
      <div className="table-wrap">
        <table className="table" aria-label="Nodes of the job">
          <thead>
            <tr>
              <th>Node</th>
              <th>Type</th>
              <th>State</th>
              <th className="num">Time</th>
            </tr>
          </thead>
          <tbody>
            {order.map((nodeId) => {
              const r = runs[nodeId];
              return (
                <tr key={nodeId} data-node-id={nodeId}>
                  <td>
                    <code>{nodeId}</code>
                    {r?.state === 'failed' && (
                      <div className="small text-danger">
                        <strong>{r.errorCode}</strong> {r.errorMessage}
                      </div>
                    )}
                    {r?.state === 'stopped' && <div className="small muted">{r.message}</div>}
                  </td>
                  <td className="muted">{typeOf.get(nodeId)?.replace(/_/g, ' ')}</td>
                  <td>{r ? <StateBadge state={r.state} label={NODE_STATE_LABEL[r.state]} /> : '—'}</td>
                  <td className="num">{fmtDuration(r?.result?.durationMs)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="node-results">
        {order
          .filter((nodeId) => {
            const res = runs[nodeId]?.result;
            return res && (res.metrics || res.lossCurve || res.roc);
          })
          .map((nodeId) => (
            <Panel
              key={nodeId}
              className="node-result"
              title={
                <span className="row-gap">
                  <code>{nodeId}</code>
                  <span className="muted small">{typeOf.get(nodeId)?.replace(/_/g, ' ')}</span>
                </span>
              }
            >
              <ResultsView result={runs[nodeId]!.result!} title={nodeId} />
            </Panel>
          ))}
      </div>
    </div>
  );
}
