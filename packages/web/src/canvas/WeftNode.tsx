/**
 * How a workflow node looks on the canvas: its catalogue label and ports (typed handles),
 * a one-line summary of its params, validation issues, and live run state (progress,
 * epoch and loss while training, the headline metric when done, the error when failed).
 */
import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { PortDef } from '../api/types';
import { ProgressBar, StateBadge } from '../ui/kit';
import { fmtNum } from '../ui/format';
import type { WeftFlowNode } from './model';
import { headlineMetric } from '../results/metrics';

const STATE_LABEL: Record<string, string> = { queued: 'queued', running: 'running', completed: 'done', failed: 'failed', cancelled: 'cancelled', stopped: 'stopped' };

function paramSummary(params: Record<string, unknown>): string {
  return Object.entries(params)
    .filter(([k, v]) => v !== undefined && v !== null && v !== '' && k !== 'datasetId' && !Array.isArray(v))
    .slice(0, 3)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? String(v) : fmtNum(v, 3)) : String(v)}`)
    .join(' · ');
}

function PortRow({ port, kind, nodeId }: { port: PortDef; kind: 'source' | 'target'; nodeId: string }) {
  return (
    <div className={`port port-${kind}`}>
      <Handle
        type={kind}
        position={kind === 'target' ? Position.Left : Position.Right}
        id={port.name}
        className={`handle handle-${port.type}`}
        aria-label={`${kind === 'target' ? 'Input' : 'Output'} ${port.name} (${port.type}) of ${nodeId}`}
        title={`${port.name}: ${port.type}`}
      />
      <span className="port-label">
        {port.name}
        <span className={`port-type port-type-${port.type}`}>{port.type}</span>
      </span>
    </div>
  );
}

function WeftNodeView({ data, selected, id }: NodeProps<WeftFlowNode>) {
  const def = data.def;
  const run = data.run;
  const issues = data.issues ?? [];
  const node = data.node;
  const category = def?.category ?? 'unknown';
  const headline = run?.result ? headlineMetric(run.result) : null;
  const summary = node.type === 'dataset' ? [node.params.target ? `target ${String(node.params.target)}` : 'no target'].join('') : paramSummary(node.params);
  return (
    <div
      className={`wnode cat-${category} ${selected ? 'selected' : ''} ${issues.length ? 'has-issues' : ''} ${run ? `run-${run.state}` : ''} ${run?.active ? 'run-active' : ''}`}
      data-node-id={id}
      data-run-state={run?.state ?? ''}
      aria-label={`${def?.label ?? node.type} node ${id}`}
    >
      <div className="wnode-head">
        <span className="wnode-cat" aria-hidden="true" />
        <span className="wnode-title ellipsis">{node.label ?? def?.label ?? node.type}</span>
        {run && <StateBadge state={run.state === 'stopped' ? 'stopped' : run.state} label={STATE_LABEL[run.state]} />}
      </div>
      <div className="wnode-sub ellipsis" title={summary}>
        <code>{id}</code>
        {summary && <span> · {summary}</span>}
      </div>
      <div className="wnode-ports">
        <div className="ports-in">{def?.inputs.map((p) => <PortRow key={p.name} port={p} kind="target" nodeId={id} />)}</div>
        <div className="ports-out">{def?.outputs.map((p) => <PortRow key={p.name} port={p} kind="source" nodeId={id} />)}</div>
      </div>
      {run?.state === 'running' && run.active && (
        <div className="wnode-run">
          <ProgressBar value={run.fraction ?? null} label={`Progress of ${id}`} />
          <div className="wnode-run-text">
            {run.phase && <span>{run.phase}</span>}
            {run.epoch !== undefined && (
              <span>
                epoch {run.epoch}
                {run.epochs ? `/${run.epochs}` : ''}
              </span>
            )}
            {run.loss !== undefined && <span>loss {fmtNum(run.loss, 4)}</span>}
          </div>
        </div>
      )}
      {run?.state === 'queued' && run.attempt && run.attempt > 1 && <div className="wnode-note">retrying, attempt {run.attempt}</div>}
      {headline && run?.state === 'completed' && (
        <div className="wnode-metric" aria-label={`${headline.name} of ${id}`}>
          <span>{headline.name.replace(/_/g, ' ')}</span>
          <strong>{fmtNum(headline.value, 3)}</strong>
        </div>
      )}
      {run?.state === 'failed' && (
        <div className="wnode-error" role="alert" aria-label={`Error of ${id}`}>
          <strong>{run.errorCode}</strong>
          <span>{run.errorMessage}</span>
        </div>
      )}
      {run?.state === 'stopped' && <div className="wnode-note">{run.message}</div>}
      {issues.length > 0 && (
        <ul className="wnode-issues" aria-label={`Problems of ${id}`}>
          {issues.slice(0, 3).map((iss, i) => (
            <li key={i} data-code={iss.code}>
              <span className="issue-code">{iss.code}</span> {iss.message.replace(/^Node "[^"]+"( \([^)]*\))?: /, '')}
            </li>
          ))}
          {issues.length > 3 && <li className="muted">+{issues.length - 3} more</li>}
        </ul>
      )}
    </div>
  );
}

export const WeftNode = memo(WeftNodeView);
export const nodeTypes = { weft: WeftNode };
