/** Upload a CSV (button or drop), with a progress bar while bytes go up and a spinner while the server ingests. */
import { useRef, useState, type DragEvent } from 'react';
import { ApiError, uploadDataset, type UploadHandle } from '../api/client';
import type { DatasetDoc } from '../api/types';
import { Button, ErrorNote, ProgressBar } from '../ui/kit';
import { Icon } from '../ui/icons';
import { fmtBytes } from '../ui/format';

type Phase = { kind: 'idle' } | { kind: 'sending'; file: File; sent: number; total: number } | { kind: 'ingesting'; file: File } | { kind: 'error'; message: string };

export function UploadCard({ onUploaded }: { onUploaded: (d: DatasetDoc) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const handle = useRef<UploadHandle | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [over, setOver] = useState(false);

  function start(file: File) {
    setPhase({ kind: 'sending', file, sent: 0, total: file.size });
    const h = uploadDataset(file, (sent, total) => {
      setPhase(sent >= total ? { kind: 'ingesting', file } : { kind: 'sending', file, sent, total });
    });
    handle.current = h;
    h.promise.then(
      (d) => {
        setPhase({ kind: 'idle' });
        onUploaded(d);
      },
      (e: unknown) => {
        const msg = e instanceof ApiError ? `${e.code}: ${e.message}` : String(e);
        setPhase(e instanceof ApiError && e.code === 'ABORTED' ? { kind: 'idle' } : { kind: 'error', message: msg });
      },
    );
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer.files[0];
    if (f) start(f);
  }

  const busy = phase.kind === 'sending' || phase.kind === 'ingesting';
  return (
    <div
      className={`dropzone ${over ? 'dropzone-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <input
        ref={input}
        type="file"
        accept=".csv,text/csv"
        hidden
        aria-label="Upload CSV"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) start(f);
          e.target.value = '';
        }}
      />
      {!busy && (
        <>
          <div className="dropzone-icon">
            <Icon name="upload" size={22} />
          </div>
          <p className="dropzone-title">Drop a CSV here</p>
          <p className="muted small">Header row, comma/semicolon/tab separated</p>
          <Button variant="primary" icon="upload" onClick={() => input.current?.click()} aria-label="Choose CSV file">
            Choose file
          </Button>
        </>
      )}
      {busy && (
        <div className="upload-progress" aria-live="polite">
          <div className="upload-file">
            <Icon name="file" />
            <span className="ellipsis">{phase.file.name}</span>
            <span className="muted small">{fmtBytes(phase.file.size)}</span>
          </div>
          {phase.kind === 'sending' ? (
            <>
              <ProgressBar value={phase.total ? phase.sent / phase.total : 0} label="Upload progress" />
              <p className="muted small">
                Uploading… {Math.round((phase.total ? phase.sent / phase.total : 0) * 100)}%
              </p>
            </>
          ) : (
            <>
              <ProgressBar value={null} label="Upload progress" indeterminate />
              <p className="muted small">Inferring the schema and profiling columns…</p>
            </>
          )}
          <Button size="sm" variant="ghost" onClick={() => handle.current?.abort()}>
            Cancel
          </Button>
        </div>
      )}
      {phase.kind === 'error' && <ErrorNote>{phase.message}</ErrorNote>}
    </div>
  );
}
