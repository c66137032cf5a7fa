/** The canvas toolbar: workflow name, file actions, undo/redo, validation state, run/cancel. */
import { useRef, useState } from 'react';
import { api } from '../api/client';
import { FINAL_JOB_STATES, type JobDoc, type WorkflowDoc } from '../api/types';
import { Button, StateBadge } from '../ui/kit';
import { Icon } from '../ui/icons';
import { fmtDuration } from '../ui/format';
import { href } from '../shell/route';

export interface ToolbarProps {
  name: string;
  onName: (n: string) => void;
  saved: boolean;
  onNew: () => void;
  onOpen: (w: WorkflowDoc) => void;
  onSave: () => void;
  onDuplicate: () => void;
  onExport: () => void;
  onImport: (file: File) => void;
  onUndo: () => void;
  onRedo: () => void;
  canUndo: boolean;
  canRedo: boolean;
  problems: number;
  validating: boolean;
  empty: boolean;
  job: JobDoc | null;
  submitting: boolean;
  onRun: () => void;
  onCancel: () => void;
}

export function Toolbar(p: ToolbarProps) {
  const file = useRef<HTMLInputElement>(null);
  const [workflows, setWorkflows] = useState<WorkflowDoc[] | null>(null);
  const loadList = () => {
    api.workflows().then(setWorkflows, () => setWorkflows([]));
  };
  const running = p.job !== null && !FINAL_JOB_STATES.has(p.job.state);
  return (
    <div className="toolbar" role="toolbar" aria-label="Workflow toolbar">
      <div className="toolbar-group">
        <input className="name-input" aria-label="Workflow name" value={p.name} onChange={(e) => p.onName(e.target.value)} maxLength={200} />
        {!p.saved && <span className="unsaved" title="Unsaved changes" aria-label="Unsaved changes" />}
      </div>
      <div className="toolbar-group">
        <Button size="sm" variant="ghost" icon="plus" onClick={p.onNew} aria-label="New workflow" title="New workflow" />
        <select
          className="open-select"
          aria-label="Open workflow"
          value=""
          onFocus={loadList}
          onMouseDown={loadList}
          onChange={(e) => {
            const w = workflows?.find((x) => x.id === e.target.value);
            if (w) p.onOpen(w);
          }}
        >
          <option value="">Open…</option>
          {workflows?.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
        <Button size="sm" variant="ghost" icon="save" onClick={p.onSave} aria-label="Save workflow" title="Save (Ctrl S)" />
        <Button size="sm" variant="ghost" icon="copy" onClick={p.onDuplicate} aria-label="Duplicate workflow" title="Save a copy" />
        <Button size="sm" variant="ghost" icon="download" onClick={p.onExport} aria-label="Export workflow JSON" title="Export JSON" />
        <Button size="sm" variant="ghost" icon="folder" onClick={() => file.current?.click()} aria-label="Import workflow JSON" title="Import JSON" />
        <input
          ref={file}
          type="file"
          accept=".json,application/json"
          hidden
          aria-label="Import workflow file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) p.onImport(f);
            e.target.value = '';
          }}
        />
        <span className="toolbar-sep" />
        <Button size="sm" variant="ghost" icon="undo" onClick={p.onUndo} disabled={!p.canUndo} aria-label="Undo" title="Undo (Ctrl Z)" />
        <Button size="sm" variant="ghost" icon="redo" onClick={p.onRedo} disabled={!p.canRedo} aria-label="Redo" title="Redo (Ctrl Shift Z)" />
      </div>
      <div className="toolbar-spacer" />
      <div className="toolbar-group">
        {!p.empty && (
          <span className={`validity ${p.validating ? 'validity-checking' : p.problems ? 'validity-bad' : 'validity-ok'}`} aria-label="Validation status" aria-live="polite">
            {!p.validating && <Icon name={p.problems ? 'alert' : 'check'} size={14} />}
            {p.validating ? 'Checking…' : p.problems ? `${p.problems} problem${p.problems > 1 ? 's' : ''}` : 'Valid'}
          </span>
        )}
        {p.job && (
          <a className="job-chip" href={href({ page: 'jobs', id: p.job.id })} title={p.job.id} aria-label="Current job">
            <StateBadge state={p.job.state} />
            <span className="muted small">{fmtDuration(p.job.durationMs)}</span>
          </a>
        )}
        {running ? (
          <Button variant="danger" icon="stop" onClick={p.onCancel} aria-label="Cancel run">
            Cancel
          </Button>
        ) : (
          <Button variant="primary" icon="play" onClick={p.onRun} disabled={p.empty || p.submitting} aria-label="Run workflow">
            {p.submitting ? 'Submitting…' : 'Run'}
          </Button>
        )}
      </div>
    </div>
  );
}
