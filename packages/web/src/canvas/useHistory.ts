/**
 * Undo/redo over canvas snapshots. `checkpoint()` records the state before a change;
 * repeated checkpoints with the same `key` inside `mergeMs` count as one step (typing in a
 * field), so undo goes back a whole edit, not a keystroke.
 */
import { useCallback, useRef, useState } from 'react';
import { cleanEdge, cleanNode, type Snapshot } from './model';

const LIMIT = 100;

export function useHistory(current: () => Snapshot, restore: (s: Snapshot) => void) {
  const past = useRef<Snapshot[]>([]);
  const future = useRef<Snapshot[]>([]);
  const last = useRef<{ key: string; at: number } | null>(null);
  const [, force] = useState(0);
  const bump = () => force((n) => n + 1);

  const snap = useCallback((): Snapshot => {
    const s = current();
    return { nodes: s.nodes.map(cleanNode), edges: s.edges.map(cleanEdge) };
  }, [current]);

  const checkpoint = useCallback(
    (key?: string, mergeMs = 1200) => {
      const now = Date.now();
      if (key && last.current?.key === key && now - last.current.at < mergeMs) {
        last.current.at = now;
        return;
      }
      last.current = key ? { key, at: now } : null;
      past.current.push(snap());
      if (past.current.length > LIMIT) past.current.shift();
      future.current = [];
      bump();
    },
    [snap],
  );

  const undo = useCallback(() => {
    const prev = past.current.pop();
    if (!prev) return;
    future.current.push(snap());
    last.current = null;
    restore(prev);
    bump();
  }, [snap, restore]);

  const redo = useCallback(() => {
    const next = future.current.pop();
    if (!next) return;
    past.current.push(snap());
    last.current = null;
    restore(next);
    bump();
  }, [snap, restore]);

  const reset = useCallback(() => {
    past.current = [];
    future.current = [];
    last.current = null;
    bump();
  }, []);

  return { checkpoint, undo, redo, reset, canUndo: past.current.length > 0, canRedo: future.current.length > 0 };
}
