/**
 * The Weft start page: datasets and jobs, kept current live. Socket.IO `job:watch` for
 * every unfinished job refreshes that row on each event; the lists are re-read every 10 s
 * to pick up new uploads and submissions from other clients.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@weft/proto';
import { bestMetric, getJob, listDatasets, listJobs, type DatasetItem, type JobItem } from './api';
import './style.css';

const FINAL = new Set(['completed', 'failed', 'cancelled']);
const REFRESH_MS = 10_000;

const $ = (id: string) => document.getElementById(id)!;
const jobs = new Map<string, JobItem>();
const watched = new Set<string>();

function cell(text: string, cls = ''): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function row(...cells: HTMLTableCellElement[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

function empty(colspan: number, text: string): HTMLTableRowElement {
  const td = cell(text, 'muted');
  td.colSpan = colspan;
  return row(td);
}

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

function duration(ms: number | null): string {
  if (ms === null) return '';
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function renderDatasets(list: DatasetItem[]): void {
  const body = $('datasets');
  body.replaceChildren(
    ...(list.length === 0
      ? [empty(4, 'No datasets yet: upload one with `npx weft upload FILE.csv`.')]
      : list.map((d) => row(cell(d.name), cell(String(d.rowCount), 'num'), cell(String(d.schema.columns.length), 'num'), cell(when(d.createdAt))))),
  );
}

function renderJobs(): void {
  const list = [...jobs.values()].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  $('jobs').replaceChildren(
    ...(list.length === 0
      ? [empty(5, 'No jobs yet: run one with `npx weft run WORKFLOW.json`.')]
      : list.map((j) => {
          const state = cell('');
          const badge = document.createElement('span');
          badge.className = `state ${j.state}`;
          badge.textContent = j.errorCode ? `${j.state} (${j.errorCode})` : j.state;
          state.append(badge);
          const id = cell('');
          const code = document.createElement('code');
          code.textContent = j.id.slice(0, 12);
          code.title = j.id;
          id.append(code);
          return row(id, cell(j.workflow?.name ?? ''), state, cell(duration(j.durationMs), 'num'), cell(bestMetric(j)));
        })),
  );
}

const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ path: '/socket.io', transports: ['websocket'] });
socket.on('connect', () => {
  $('conn').textContent = 'live';
  $('conn').classList.add('live');
  watched.clear();
  for (const j of jobs.values()) watch(j);
});
socket.on('disconnect', () => {
  $('conn').textContent = 'offline';
  $('conn').classList.remove('live');
});

const pending = new Map<string, number>();
socket.on('job:event', (e) => {
  // Coalesce bursts of events into one refresh per job.
  if (pending.has(e.jobId)) return;
  pending.set(
    e.jobId,
    window.setTimeout(() => {
      pending.delete(e.jobId);
      getJob(e.jobId).then((j) => {
        jobs.set(j.id, j);
        renderJobs();
        if (FINAL.has(j.state)) {
          watched.delete(j.id);
          socket.emit('job:unwatch', { jobId: j.id });
        }
      }, () => undefined);
    }, 300),
  );
});

function watch(j: JobItem): void {
  if (FINAL.has(j.state) || watched.has(j.id) || !socket.connected) return;
  watched.add(j.id);
  // Only live events matter here: start after everything stored so far would be a replay.
  socket.emit('job:watch', { jobId: j.id, afterSeq: Number.MAX_SAFE_INTEGER }, (res) => {
    if (!res.ok) watched.delete(j.id);
  });
}

async function refresh(): Promise<void> {
  listDatasets().then(renderDatasets, (err: Error) => $('datasets').replaceChildren(empty(4, `Could not load datasets: ${err.message}`)));
  try {
    const list = await listJobs();
    jobs.clear();
    for (const j of list) jobs.set(j.id, j);
    $('jobs-error').hidden = true;
    renderJobs();
    for (const j of list) watch(j);
  } catch (err) {
    $('jobs-error').textContent = `Could not load jobs: ${(err as Error).message}`;
    $('jobs-error').hidden = false;
    if (jobs.size === 0) $('jobs').replaceChildren(empty(5, '—'));
  }
}

void refresh();
setInterval(() => void refresh(), REFRESH_MS);
