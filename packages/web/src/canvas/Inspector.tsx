/**
 * The right-hand panel. With a node selected: its parameters (generated form), its
 * problems, and its results once it has run. Without: the workflow's name, seed and the
 * problems not tied to a node.
 */
import { useEffect, useState } from 'react';
import type { CatalogueNode, WorkflowIssue } from '../api/types';
import { useDatasetDoc } from '../api/datasets-store';
import { Button, ErrorNote, Field, NODE_STATE_LABEL, StateBadge, Tabs } from '../ui/kit';
import { ResultsView } from '../results/ResultsView';
import type { RunView, WeftEdge, WeftFlowNode } from './model';
import { upstreamDataset } from './model';
import { ParamsForm } from './ParamsForm';

type Tab = 'params' | 'results';

export interface InspectorProps {
  node: WeftFlowNode | undefined;
  def: CatalogueNode | undefined;
  nodes: WeftFlowNode[];
  edges: WeftEdge[];
  issues: WorkflowIssue[];
  run: RunView | undefined;
  runs: Record<string, RunView>;
  onParam: (nodeId: string, name: string, value: unknown) => void;
  onDelete: (nodeId: string) => void;
  meta: { name: string; description: string; seed: number | undefined };
  onMeta: (m: Partial<{ name: string; description: string; seed: number | undefined }>) => void;
  globalIssues: WorkflowIssue[];
  /** Bumped to switch to the results tab (after a run completes). */
  showResults: number;
}

export function Inspector(p: InspectorProps) {
  const [tab, setTab] = useState<Tab>('params');
  const hasResult = Boolean(p.run?.result) || p.run?.state === 'failed';
  useEffect(() => {
    if (p.showResults > 0) setTab('results');
  }, [p.showResults]);
  useEffect(() => {
    if (!hasResult) setTab('params');
  }, [hasResult, p.node?.id]);

  if (!p.node) return <WorkflowInspector {...p} />;
  const node = p.node;
  const ds = upstreamDataset(node.id, p.nodes, p.edges);
  const datasetId = typeof ds?.data.node.params.datasetId === 'string' ? ds.data.node.params.datasetId : undefined;
  return (
    <aside className="inspector" aria-label="Inspector">
      <header className="inspector-head">
        <div>
          <h2 className="inspector-title">{p.def?.label ?? node.data.node.type}</h2>
          <p className="muted small">
            <code>{node.id}</code> · {p.def?.category}
          </p>
        </div>
        <div className="row-gap">
          {p.run && <StateBadge state={p.run.state} label={NODE_STATE_LABEL[p.run.state]} />}
          <Button size="sm" variant="ghost" icon="trash" aria-label={`Delete node ${node.id}`} title="Delete node (Del)" onClick={() => p.onDelete(node.id)} />
        </div>
      </header>
      {p.def?.description && <p className="inspector-desc">{p.def.description}</p>}
      <Tabs<Tab>
        label="Node panels"
        value={hasResult ? tab : 'params'}
        onChange={setTab}
        tabs={[{ id: 'params', label: 'Parameters' }, ...(hasResult ? [{ id: 'results' as const, label: p.run?.state === 'failed' ? 'Error' : 'Results' }] : [])]}
      />
      <div className="inspector-body">
        {p.issues.length > 0 && (
          <div className="note note-danger" role="alert" aria-label={`Problems with ${node.id}`}>
            <ul>
              {p.issues.map((i, k) => (
                <li key={k}>
                  <strong>{i.code}</strong> {i.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        {(tab === 'params' || !hasResult) && p.def && (
          <NodeParams node={node} def={p.def} datasetId={datasetId} issues={p.issues} onParam={p.onParam} />
        )}
        {tab === 'results' && hasResult && (
          <>
            {p.run?.state === 'failed' && (
              <ErrorNote>
                <strong>{p.run.errorCode}</strong>
                <div>{p.run.errorMessage}</div>
              </ErrorNote>
            )}
            {p.run?.result && <ResultsView result={p.run.result} lossCurve={modelLoss(node.id, p.edges, p.runs)} title={node.id} />}
          </>
        )}
      </div>
    </aside>
  );
}

/** The loss curve of the model feeding an evaluator, so evaluation shows training too. */
function modelLoss(nodeId: string, edges: WeftEdge[], runs: Record<string, RunView>): number[] | undefined {
  const src = edges.find((e) => e.target === nodeId)?.source;
  return src ? runs[src]?.result?.lossCurve : undefined;
}

function NodeParams({ node, def, datasetId, issues, onParam }: { node: WeftFlowNode; def: CatalogueNode; datasetId: string | undefined; issues: WorkflowIssue[]; onParam: InspectorProps['onParam'] }) {
  const doc = useDatasetDoc(datasetId);
  const columns = doc?.schema.columns.filter((c) => c.role !== 'ignore').map((c) => c.name);
  const serverErrors: Record<string, string> = {};
  for (const i of issues) {
    const m = /^params\.([^.]+)/.exec(i.field ?? '');
    if (m) serverErrors[m[1]!] = i.message.replace(/^Node "[^"]+"( \([^)]*\))?: /, '');
  }
  // A dataset node picks up the column marked as target when it has none yet.
  useEffect(() => {
    if (node.data.node.type !== 'dataset' || !doc || node.data.node.params.target) return;
    const t = doc.schema.columns.find((c) => c.role === 'target');
    if (t && def.params.properties?.target) onParam(node.id, 'target', t.name);
  }, [doc, node.id, node.data.node.type, node.data.node.params.target, def, onParam]);
  return (
    <ParamsForm
      schema={def.params}
      params={node.data.node.params}
      onChange={(name, v) => onParam(node.id, name, v)}
      columns={columns}
      datasetId={datasetId}
      serverErrors={serverErrors}
    />
  );
}

function WorkflowInspector(p: InspectorProps) {
  return (
    <aside className="inspector" aria-label="Inspector">
      <header className="inspector-head">
        <div>
          <h2 className="inspector-title">Workflow</h2>
          <p className="muted small">Select a node to edit its parameters and see its results.</p>
        </div>
      </header>
      <div className="inspector-body">
        <div className="form">
          <Field label="Description">
            {({ id }) => <textarea id={id} rows={3} aria-label="Workflow description" value={p.meta.description} onChange={(e) => p.onMeta({ description: e.target.value })} />}
          </Field>
          <Field label="Seed" hint="Seed for every random choice in the job (split, initialisation); default 42">
            {({ id }) => (
              <input
                id={id}
                type="number"
                min={0}
                step={1}
                aria-label="Workflow seed"
                value={p.meta.seed ?? ''}
                placeholder="42"
                onChange={(e) => p.onMeta({ seed: e.target.value === '' ? undefined : Math.max(0, Math.floor(Number(e.target.value))) })}
              />
            )}
          </Field>
        </div>
        {p.globalIssues.length > 0 && (
          <div className="note note-danger" role="alert">
            <ul>
              {p.globalIssues.map((i, k) => (
                <li key={k}>
                  <strong>{i.code}</strong> {i.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="shortcuts">
          <h3>Shortcuts</h3>
          <dl>
            <dt>Delete / Backspace</dt>
            <dd>remove the selection</dd>
            <dt>Ctrl Z · Ctrl Shift Z</dt>
            <dd>undo · redo</dd>
            <dt>Ctrl S</dt>
            <dd>save</dd>
            <dt>Enter on a palette item</dt>
            <dd>add that node</dd>
          </dl>
        </div>
      </div>
    </aside>
  );
}
