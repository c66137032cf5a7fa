/**
 * Datasets shared by the Datasets screen and the canvas forms: the list, and full
 * documents (schema + profile) fetched on demand and kept until a change replaces them.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { api } from './client';
import type { DatasetDoc, DatasetItem } from './types';

interface State {
  list: DatasetItem[] | null;
  error: string | null;
  docs: Record<string, DatasetDoc>;
}

let state: State = { list: null, error: null, docs: {} };
const listeners = new Set<() => void>();
const set = (patch: Partial<State>) => {
  state = { ...state, ...patch };
  for (const l of listeners) l();
};
const inflight = new Map<string, Promise<DatasetDoc>>();

export const datasetsStore = {
  get: () => state,
  subscribe(l: () => void) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  async refresh(): Promise<void> {
    try {
      set({ list: await api.datasets(), error: null });
    } catch (e) {
      set({ error: (e as Error).message, list: state.list ?? [] });
    }
  },
  /** Fetches one dataset's full document (cached). */
  load(id: string): Promise<DatasetDoc> {
    const have = state.docs[id];
    if (have) return Promise.resolve(have);
    let p = inflight.get(id);
    if (!p) {
      p = api.dataset(id).then(
        (d) => {
          inflight.delete(id);
          datasetsStore.put(d);
          return d;
        },
        (e: unknown) => {
          inflight.delete(id);
          throw e;
        },
      );
      inflight.set(id, p);
    }
    return p;
  },
  /** Stores a fresh document (after upload or a schema change) and updates the list entry. */
  put(d: DatasetDoc): void {
    const list = state.list ?? [];
    const i = list.findIndex((x) => x.id === d.id);
    const next = i >= 0 ? list.map((x) => (x.id === d.id ? d : x)) : [d, ...list];
    set({ docs: { ...state.docs, [d.id]: d }, list: next });
  },
  remove(id: string): void {
    const { [id]: _gone, ...docs } = state.docs;
    set({ docs, list: (state.list ?? []).filter((x) => x.id !== id) });
  },
};

/** The dataset list, loaded on first use. */
export function useDatasets(): State {
  const s = useSyncExternalStore(datasetsStore.subscribe, datasetsStore.get);
  useEffect(() => {
    if (s.list === null) void datasetsStore.refresh();
  }, [s.list]);
  return s;
}

/** One dataset's full document (schema + profile), or undefined while loading / when absent. */
export function useDatasetDoc(id: string | undefined): DatasetDoc | undefined {
  const s = useSyncExternalStore(datasetsStore.subscribe, datasetsStore.get);
  useEffect(() => {
    if (id && !s.docs[id]) datasetsStore.load(id).catch(() => undefined);
  }, [id, s.docs]);
  return id ? s.docs[id] : undefined;
}
