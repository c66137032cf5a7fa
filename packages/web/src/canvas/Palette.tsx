/**
 * The palette: every node type of the catalogue, grouped by category. Drag one onto the
 * canvas, or focus it and press Enter to add it beside the last node.
 */
import type { DragEvent } from 'react';
import type { CatalogueNode } from '../api/types';
import { ErrorNote, Spinner } from '../ui/kit';
import { CATEGORY_LABEL, CATEGORY_ORDER, useCatalogue } from './catalogue';

export const DND_TYPE = 'application/x-weft-node';

export function Palette({ onAdd }: { onAdd: (def: CatalogueNode) => void }) {
  const { list, error, loaded } = useCatalogue();
  const cats = [...new Set([...CATEGORY_ORDER.filter((c) => list.some((d) => d.category === c)), ...list.map((d) => d.category)])];
  const onDragStart = (e: DragEvent, def: CatalogueNode) => {
    e.dataTransfer.setData(DND_TYPE, def.type);
    e.dataTransfer.setData('text/plain', def.type);
    e.dataTransfer.effectAllowed = 'move';
  };
  return (
    <aside className="palette" aria-label="Node palette">
      <h2 className="palette-title">Nodes</h2>
      <p className="muted small palette-hint">Drag onto the canvas, or focus and press Enter.</p>
      {!loaded && <Spinner label="Loading catalogue" />}
      {error && <ErrorNote>Could not load the node catalogue: {error}</ErrorNote>}
      {cats.map((cat) => (
        <section key={cat} className="palette-group" aria-label={CATEGORY_LABEL[cat] ?? cat}>
          <h3 className="palette-cat">{CATEGORY_LABEL[cat] ?? cat}</h3>
          <ul>
            {list
              .filter((d) => d.category === cat)
              .map((d) => (
                <li key={d.type}>
                  <div
                    className={`palette-item cat-${d.category}`}
                    draggable
                    tabIndex={0}
                    role="button"
                    aria-label={`Add ${d.label}`}
                    data-node-type={d.type}
                    title={d.description}
                    onDragStart={(e) => onDragStart(e, d)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        onAdd(d);
                      }
                    }}
                    onDoubleClick={() => onAdd(d)}
                  >
                    <span className="palette-dot" aria-hidden="true" />
                    <span className="palette-text">
                      <span className="palette-label">{d.label}</span>
                      <span className="palette-ports">
                        {d.inputs.map((p) => p.type).join(', ') || '—'} → {d.outputs.map((p) => p.type).join(', ') || '—'}
                      </span>
                    </span>
                  </div>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </aside>
  );
}
