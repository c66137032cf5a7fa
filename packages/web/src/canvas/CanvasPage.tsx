/**
 * The workflow canvas: palette, graph, inspector and toolbar. Owns the canvas nodes and
 * edges, undo/redo, server validation (debounced) and the current run.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type NodeChange,
} from '@xyflow/react';
import { ApiError, api } from '../api/client';
import { FINAL_JOB_STATES, type CatalogueNode, type JobDoc, type WorkflowDoc, type WorkflowIssue } from '../api/types';
import { datasetsStore } from '../api/datasets-store';
import { useToast } from '../ui/toast';
import { EmptyState } from '../ui/kit';
import { fmtNum } from '../ui/format';
import { headlineMetric } from '../results/metrics';
import { useJobRun } from '../run/useJobRun';
import { blamedNode, type RunMap } from '../run/run-state';
import { canvasBus } from './bus';
import { useCatalogue } from './catalogue';
import { connectionProblem } from './connect';
import { Inspector } from './Inspector';
import { DND_TYPE, Palette } from './Palette';
import { checkParams } from './params-check';
import { edgeId, fromGraph, makeNode, parseImported, toGraph, type Snapshot, type WeftEdge, type WeftFlowNode } from './model';
import { Toolbar } from './Toolbar';
import { useHistory } from './useHistory';
import { nodeTypes } from './WeftNode';

export function CanvasPage({ active }: { active: boolean }) {
  return (
    <ReactFlowProvider>
      <Canvas active={active} />
    </ReactFlowProvider>
  );
}

interface Meta {
  name: string;
  description: string;
  seed: number | undefined;
}
const NEW_META: Meta = { name: 'Untitled workflow', description: '', seed: undefined };

/** Columns-naming params that a change of dataset makes stale. */
const COLUMN_PARAMS = ['target', 'features', 'ignore', 'columns'];

function Canvas({ active }: { active: boolean }) {
  const { byType } = useCatalogue();
  const toast = useToast();
  const flow = useReactFlow<WeftFlowNode, WeftEdge>();
  const [nodes, setNodes] = useState<WeftFlowNode[]>([]);
  const [edges, setEdges] = useState<WeftEdge[]>([]);
  const [meta, setMetaState] = useState<Meta>(NEW_META);
  const [workflowId, setWorkflowId] = useState<string | undefined>();
  const [savedKey, setSavedKey] = useState<string>('');
  const [serverIssues, setServerIssues] = useState<WorkflowIssue[]>([]);
  const [validating, setValidating] = useState(false);
  const [showResults, setShowResults] = useState(0);
  const nodesRef = useRef(nodes);
  const edgesRef = useRef(edges);
  nodesRef.current = nodes;
  edgesRef.current = edges;

  const restore = useCallback((s: Snapshot) => {
    setNodes(s.nodes);
    setEdges(s.edges);
  }, []);
  const current = useCallback(() => ({ nodes: nodesRef.current, edges: edgesRef.current }), []);
  const history = useHistory(current, restore);

  const selectOnly = useCallback((id: string | null) => {
    setNodes((ns) => ns.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })));
  }, []);

  const onFinal = useCallback(
    (job: JobDoc, runs: RunMap) => {
      if (job.state === 'completed') {
        const evalId = Object.keys(runs).find((id) => runs[id]?.result && headlineMetric(runs[id]!.result!));
        const h = evalId ? headlineMetric(runs[evalId]!.result!) : null;
        toast(h ? `Job completed · ${h.name.replace(/_/g, ' ')} ${fmtNum(h.value, 3)}` : 'Job completed', 'success');
        if (evalId) {
          selectOnly(evalId);
          setShowResults((n) => n + 1);
        }
      } else if (job.state === 'failed') {
        toast(`Job failed: ${job.errorCode ?? 'error'}`, 'danger');
        const ids = job.tasks.flatMap((t) => t.nodeIds);
        const blamed = blamedNode(job.errorMessage ?? undefined, ids);
        if (blamed) {
          selectOnly(blamed);
          setShowResults((n) => n + 1);
        }
      } else if (job.state === 'cancelled') toast('Job cancelled');
    },
    [toast, selectOnly],
  );
  const run = useJobRun(onFinal);

  // ---- graph → workflow
  const graph = useMemo(() => toGraph(nodes, edges, meta), [nodes, edges, meta]);
  const logicalKey = useMemo(() => JSON.stringify({ ...graph, nodes: graph.nodes.map(({ position: _p, ...n }) => n) }), [graph]);
  const fullKey = useMemo(() => JSON.stringify(graph), [graph]);
  // After opening a stored workflow, what is on the canvas is what is saved.
  const markSaved = useRef(false);
  useEffect(() => {
    if (markSaved.current) {
      markSaved.current = false;
      setSavedKey(fullKey);
    }
  }, [fullKey]);

  // ---- server validation, debounced
  useEffect(() => {
    if (nodes.length === 0) {
      setServerIssues([]);
      return;
    }
    let stale = false;
    setValidating(true);
    const t = window.setTimeout(() => {
      api.validate(graph).then(
        (r) => {
          if (!stale) setServerIssues(r.issues);
        },
        () => undefined,
      ).finally(() => {
        if (!stale) setValidating(false);
      });
    }, 450);
    return () => {
      stale = true;
      window.clearTimeout(t);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- positions do not matter to validation
  }, [logicalKey]);

  const issuesByNode = useMemo(() => {
    const map = new Map<string, WorkflowIssue[]>();
    const push = (i: WorkflowIssue) => map.set(i.nodeId!, [...(map.get(i.nodeId!) ?? []), i]);
    for (const i of serverIssues) if (i.nodeId) push(i);
    for (const n of nodes) {
      const def = byType.get(n.data.node.type);
      if (!def) continue;
      const have = new Set((map.get(n.id) ?? []).map((i) => i.field));
      for (const [field, message] of Object.entries(checkParams(def.params, n.data.node.params))) {
        if (!have.has(`params.${field}`)) push({ code: 'INVALID_PARAM', nodeId: n.id, field: `params.${field}`, message: `${field}: ${message}` });
      }
    }
    return map;
  }, [serverIssues, nodes, byType]);
  const globalIssues = serverIssues.filter((i) => !i.nodeId);
  const problemCount = [...issuesByNode.values()].reduce((a, l) => a + l.length, 0) + globalIssues.length;

  // ---- what React Flow draws: the canvas nodes with view-only fields
  const shownNodes = useMemo(
    () =>
      nodes.map((n) => ({
        ...n,
        data: { ...n.data, def: byType.get(n.data.node.type), issues: issuesByNode.get(n.id) ?? [], run: run.runs[n.id] },
      })) as WeftFlowNode[],
    [nodes, byType, issuesByNode, run.runs],
  );
  const running = run.job !== null && !FINAL_JOB_STATES.has(run.job.state);
  const shownEdges = useMemo(
    () =>
      edges.map((e) => {
        const s = nodes.find((n) => n.id === e.source);
        const port = s ? byType.get(s.data.node.type)?.outputs.find((p) => p.name === e.sourceHandle) : undefined;
        return { ...e, type: 'smoothstep', animated: running, className: `edge-${port?.type ?? 'any'}` };
      }),
    [edges, nodes, byType, running],
  );

  // ---- editing
  const addNode = useCallback(
    (def: CatalogueNode, position?: { x: number; y: number }, params?: Record<string, unknown>) => {
      history.checkpoint();
      const ns = nodesRef.current;
      const pos =
        position ??
        (ns.length > 0
          ? { x: Math.max(...ns.map((n) => n.position.x)) + 260, y: ns[ns.length - 1]!.position.y }
          : flow.screenToFlowPosition({ x: window.innerWidth / 2 - 100, y: window.innerHeight / 2 - 60 }));
      const node = makeNode(def, pos, ns.map((n) => n.id), params);
      node.selected = true;
      setNodes([...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), node]);
      return node;
    },
    [history, flow],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<WeftFlowNode>[]) => {
      if (changes.some((c) => c.type === 'remove')) history.checkpoint('delete', 400);
      setNodes((ns) => applyNodeChanges(changes, ns));
    },
    [history],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange<WeftEdge>[]) => {
      if (changes.some((c) => c.type === 'remove')) history.checkpoint('delete', 400);
      setEdges((es) => applyEdgeChanges(changes, es));
    },
    [history],
  );
  const isValidConnection = useCallback((c: Connection | WeftEdge) => connectionProblem(c, nodesRef.current, edgesRef.current, byType) === null, [byType]);
  const onConnect = useCallback(
    (c: Connection) => {
      if (connectionProblem(c, nodesRef.current, edgesRef.current, byType)) return;
      history.checkpoint();
      setEdges((es) => addEdge({ ...c, id: edgeId(c) }, es));
    },
    [history, byType],
  );
  const onConnectEnd = useCallback(
    (_e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (!state.fromHandle || !state.toHandle || state.isValid) return;
      const from = state.fromHandle;
      const to = state.toHandle;
      const c: Connection =
        from.type === 'source'
          ? { source: from.nodeId, sourceHandle: from.id ?? null, target: to.nodeId, targetHandle: to.id ?? null }
          : { source: to.nodeId, sourceHandle: to.id ?? null, target: from.nodeId, targetHandle: from.id ?? null };
      const why = connectionProblem(c, nodesRef.current, edgesRef.current, byType) ?? 'Those ports do not connect';
      toast(`Connection refused: ${why}`, 'danger');
    },
    [byType, toast],
  );

  const onParam = useCallback(
    (nodeId: string, name: string, value: unknown) => {
      history.checkpoint(`param:${nodeId}:${name}`);
      setNodes((ns) =>
        ns.map((n) => {
          if (n.id !== nodeId) return n;
          const params = { ...n.data.node.params };
          if (value === undefined) delete params[name];
          else params[name] = value;
          if (name === 'datasetId' && n.data.node.params.datasetId && value !== n.data.node.params.datasetId) for (const k of COLUMN_PARAMS) delete params[k];
          return { ...n, data: { ...n.data, node: { ...n.data.node, params } } };
        }),
      );
    },
    [history],
  );
  const deleteNode = useCallback(
    (id: string) => {
      history.checkpoint();
      setNodes((ns) => ns.filter((n) => n.id !== id));
      setEdges((es) => es.filter((e) => e.source !== id && e.target !== id));
    },
    [history],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const type = e.dataTransfer.getData(DND_TYPE) || e.dataTransfer.getData('text/plain');
      const def = byType.get(type);
      if (!def) return;
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      addNode(def, { x: p.x - 100, y: p.y - 30 });
    },
    [byType, flow, addNode],
  );

  // ---- files
  const load = useCallback(
    (g: Parameters<typeof fromGraph>[0], name: string, id?: string) => {
      history.checkpoint();
      const s = fromGraph(g, byType);
      setNodes(s.nodes);
      setEdges(s.edges);
      setMetaState({ name, description: g.description ?? '', seed: g.seed });
      setWorkflowId(id);
      setServerIssues([]);
      window.setTimeout(() => flow.fitView({ padding: 0.2, maxZoom: 1 }), 50);
      return s;
    },
    [history, byType, flow],
  );

  const save = useCallback(async () => {
    try {
      const doc = workflowId ? await api.updateWorkflow(workflowId, meta.name || 'Untitled workflow', graph) : await api.createWorkflow(meta.name || 'Untitled workflow', graph);
      setWorkflowId(doc.id);
      setSavedKey(fullKey);
      toast(`Saved “${doc.name}”`, 'success');
    } catch (e) {
      toast(`Could not save: ${(e as Error).message}`, 'danger');
    }
  }, [workflowId, meta.name, graph, fullKey, toast]);

  const duplicate = useCallback(async () => {
    try {
      const name = `${meta.name || 'Untitled workflow'} (copy)`;
      const doc = await api.createWorkflow(name, { ...graph, name });
      setWorkflowId(doc.id);
      setMetaState((m) => ({ ...m, name }));
      setSavedKey(JSON.stringify({ ...graph, name }));
      toast(`Saved a copy as “${name}”`, 'success');
    } catch (e) {
      toast(`Could not duplicate: ${(e as Error).message}`, 'danger');
    }
  }, [meta.name, graph, toast]);

  const exportJson = useCallback(() => {
    const blob = new Blob([JSON.stringify(graph, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${(meta.name || 'workflow').replace(/[^A-Za-z0-9_.-]+/g, '_')}.json`;
    a.click();
    window.setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }, [graph, meta.name]);

  const importJson = useCallback(
    async (file: File) => {
      try {
        const { graph: g, name } = parseImported(await file.text());
        load(g, name ?? g.name ?? file.name.replace(/\.json$/i, ''));
        toast(`Imported ${g.nodes.length} nodes`, 'success');
      } catch (e) {
        toast(`Could not import: ${(e as Error).message}`, 'danger');
      }
    },
    [load, toast],
  );

  const newWorkflow = useCallback(() => {
    history.checkpoint();
    setNodes([]);
    setEdges([]);
    setMetaState(NEW_META);
    setWorkflowId(undefined);
    setSavedKey('');
    run.clear();
  }, [history, run]);

  const startRun = useCallback(async () => {
    try {
      const job = await run.start(graph, workflowId);
      toast(`Job submitted (${job.id.slice(0, 12)}…)`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'WORKFLOW_INVALID') {
        const issues = ((e.details as { issues?: WorkflowIssue[] } | undefined)?.issues ?? []) as WorkflowIssue[];
        setServerIssues(issues);
        toast(`Not run: the workflow has ${issues.length || 'some'} problem${issues.length === 1 ? '' : 's'} (shown on the nodes)`, 'danger');
      } else toast(`Could not run: ${(e as Error).message}`, 'danger');
    }
  }, [run, graph, workflowId, toast]);

  // ---- requests from other screens
  useEffect(
    () =>
      canvasBus.on((r) => {
        if (r.kind === 'open-graph') {
          load(r.graph, r.name, r.workflowId);
          if (r.jobId) run.attach(r.jobId);
          else run.clear();
        } else {
          const def = byType.get('dataset');
          if (!def) return;
          addNode(def, undefined, { datasetId: r.datasetId });
          void datasetsStore.load(r.datasetId).catch(() => undefined);
        }
      }),
    [load, run, byType, addNode],
  );

  // ---- keyboard: undo/redo/save while the canvas is on screen
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const el = e.target as HTMLElement | null;
      const typing = el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
      const k = e.key.toLowerCase();
      if (k === 's') {
        e.preventDefault();
        void save();
      } else if (!typing && k === 'z' && !e.shiftKey) {
        e.preventDefault();
        history.undo();
      } else if (!typing && ((k === 'z' && e.shiftKey) || k === 'y')) {
        e.preventDefault();
        history.redo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, save, history]);

  const selected = nodes.filter((n) => n.selected);
  const sel = selected.length === 1 ? selected[0] : undefined;

  return (
    <div className="canvas-layout">
      <Toolbar
        name={meta.name}
        onName={(name) => setMetaState((m) => ({ ...m, name }))}
        saved={Boolean(workflowId) && savedKey === fullKey}
        onNew={newWorkflow}
        onOpen={(w: WorkflowDoc) => {
          load(w.graph, w.name, w.id);
          markSaved.current = true;
          run.clear();
        }}
        onSave={() => void save()}
        onDuplicate={() => void duplicate()}
        onExport={exportJson}
        onImport={(f) => void importJson(f)}
        onUndo={history.undo}
        onRedo={history.redo}
        canUndo={history.canUndo}
        canRedo={history.canRedo}
        problems={problemCount}
        validating={validating}
        empty={nodes.length === 0}
        job={run.job}
        submitting={run.submitting}
        onRun={() => void startRun()}
        onCancel={() => void run.cancel().catch((e: Error) => toast(e.message, 'danger'))}
      />
      <div className="canvas-body">
        <Palette onAdd={(d) => addNode(d)} />
        <div className="flow" onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'move';
        }} onDrop={onDrop} aria-label="Workflow canvas" role="application">
          <ReactFlow<WeftFlowNode, WeftEdge>
            nodes={shownNodes}
            edges={shownEdges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onConnectEnd={onConnectEnd}
            isValidConnection={isValidConnection}
            onNodeDragStart={() => history.checkpoint()}
            deleteKeyCode={['Delete', 'Backspace']}
            snapToGrid
            snapGrid={[8, 8]}
            minZoom={0.25}
            maxZoom={1.75}
            defaultViewport={{ x: 40, y: 60, zoom: 0.9 }}
            proOptions={{ hideAttribution: true }}
            connectionRadius={28}
          >
            <Background variant={BackgroundVariant.Dots} gap={16} size={1.2} color="var(--grid-dot)" />
            <Controls showInteractive={false} fitViewOptions={{ padding: 0.15, maxZoom: 1 }} />
            <MiniMap pannable zoomable className="minimap" style={{ width: 168, height: 112 }} nodeClassName={(n) => `mini-${(n as WeftFlowNode).data.def?.category ?? ''}`} />
          </ReactFlow>
          {nodes.length === 0 && (
            <div className="flow-empty">
              <EmptyState icon="canvas" title="Start with a Dataset node">
                Drag nodes from the palette and connect an output (right) to an input of the same type (left). Parameters appear on the right.
              </EmptyState>
            </div>
          )}
        </div>
        <Inspector
          node={sel ? shownNodes.find((n) => n.id === sel.id) : undefined}
          def={sel ? byType.get(sel.data.node.type) : undefined}
          nodes={nodes}
          edges={edges}
          issues={sel ? issuesByNode.get(sel.id) ?? [] : []}
          run={sel ? run.runs[sel.id] : undefined}
          runs={run.runs}
          onParam={onParam}
          onDelete={deleteNode}
          meta={meta}
          onMeta={(m) => setMetaState((x) => ({ ...x, ...m }))}
          globalIssues={globalIssues}
          showResults={showResults}
        />
      </div>
    </div>
  );
}

