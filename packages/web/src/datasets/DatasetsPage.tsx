/** The Datasets screen: upload, the list, and the selected dataset's schema, profile and correlations. */
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { datasetsStore, useDatasetDoc, useDatasets } from '../api/datasets-store';
import { canvasBus } from '../canvas/bus';
import { href, navigate } from '../shell/route';
import { Badge, Button, EmptyState, ErrorNote, Panel, Spinner, Tabs } from '../ui/kit';
import { fmtBytes, fmtWhen } from '../ui/format';
import { useToast } from '../ui/toast';
import { CorrelationHeatmap } from './CorrelationHeatmap';
import { ProfileView } from './ProfileView';
import { SchemaTable } from './SchemaTable';
import { UploadCard } from './UploadCard';

type Tab = 'schema' | 'profile' | 'correlations';

export function DatasetsPage({ selectedId }: { selectedId?: string }) {
  const { list, error } = useDatasets();
  const toast = useToast();
  const current = selectedId ?? list?.[0]?.id;
  const doc = useDatasetDoc(current);
  const [tab, setTab] = useState<Tab>('schema');

  useEffect(() => void datasetsStore.refresh(), []);

  return (
    <div className="split-layout">
      <aside className="sidebar" aria-label="Datasets">
        <h1 className="page-title">Datasets</h1>
        <UploadCard
          onUploaded={(d) => {
            datasetsStore.put(d);
            toast(`Uploaded ${d.name}: ${d.rowCount.toLocaleString()} rows`, 'success');
            navigate({ page: 'datasets', id: d.id });
          }}
        />
        {error && <ErrorNote>Could not load datasets: {error}</ErrorNote>}
        {list === null && <Spinner />}
        <ul className="list" aria-label="Dataset list">
          {list?.map((d) => (
            <li key={d.id}>
              <a className={`list-item ${d.id === current ? 'active' : ''}`} href={href({ page: 'datasets', id: d.id })} aria-current={d.id === current ? 'true' : undefined}>
                <span className="list-title ellipsis">{d.name}</span>
                <span className="list-meta">
                  {d.rowCount.toLocaleString()} rows · {d.schema.columns.length} cols · {fmtWhen(d.createdAt)}
                </span>
              </a>
            </li>
          ))}
        </ul>
      </aside>
      <main className="content">
        {list && list.length === 0 && (
          <EmptyState icon="database" title="No datasets yet">
            Upload a CSV on the left to see its schema, profile and correlations.
          </EmptyState>
        )}
        {current && !doc && <Spinner label="Loading dataset" />}
        {doc && (
          <>
            <div className="content-head">
              <div>
                <h2 className="content-title">{doc.name}</h2>
                <p className="muted">
                  {doc.rowCount.toLocaleString()} rows · {doc.schema.columns.length} columns · {fmtBytes(doc.byteSize)} · uploaded {fmtWhen(doc.createdAt)}
                  {' · '}
                  target:{' '}
                  {doc.schema.columns.find((c) => c.role === 'target')?.name ?? <span className="text-warning">none set</span>}
                </p>
              </div>
              <div className="row-gap">
                <Button
                  variant="primary"
                  icon="canvas"
                  onClick={() => {
                    canvasBus.emit({ kind: 'add-dataset', datasetId: doc.id });
                    navigate({ page: 'canvas' });
                  }}
                >
                  Use in canvas
                </Button>
                <Button
                  variant="ghost"
                  icon="trash"
                  aria-label="Delete dataset"
                  onClick={async () => {
                    if (!window.confirm(`Delete dataset "${doc.name}"?`)) return;
                    try {
                      await api.deleteDataset(doc.id);
                      datasetsStore.remove(doc.id);
                      navigate({ page: 'datasets' });
                    } catch (e) {
                      toast((e as Error).message, 'danger');
                    }
                  }}
                />
              </div>
            </div>
            {doc.warnings.length > 0 && (
              <div className="note note-warning" role="note">
                <strong>{doc.warnings.length} warning{doc.warnings.length > 1 ? 's' : ''} from ingest</strong>
                <ul>
                  {doc.warnings.slice(0, 5).map((w, i) => (
                    <li key={i}>
                      <Badge tone="warning">{w.code}</Badge> {w.message}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <Tabs<Tab>
              label="Dataset views"
              value={tab}
              onChange={setTab}
              tabs={[
                { id: 'schema', label: 'Schema' },
                { id: 'profile', label: 'Profile' },
                { id: 'correlations', label: 'Correlations' },
              ]}
            />
            <Panel className="tab-panel">
              {tab === 'schema' && <SchemaTable dataset={doc} />}
              {tab === 'profile' && <ProfileView dataset={doc} />}
              {tab === 'correlations' && <CorrelationHeatmap dataset={doc} />}
            </Panel>
          </>
        )}
      </main>
    </div>
  );
}
