/** The node catalogue from `GET /api/catalogue`, shared by the palette, nodes and forms. */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from '../api/client';
import type { CatalogueNode } from '../api/types';

export interface Catalogue {
  list: CatalogueNode[];
  byType: Map<string, CatalogueNode>;
  error: string | null;
  loaded: boolean;
}

const Ctx = createContext<Catalogue>({ list: [], byType: new Map(), error: null, loaded: false });

export function CatalogueProvider({ children }: { children: ReactNode }) {
  const [list, setList] = useState<CatalogueNode[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    api.catalogue().then(
      (l) => {
        setList(l);
        setLoaded(true);
      },
      (e: Error) => {
        setError(e.message);
        setLoaded(true);
      },
    );
  }, []);
  const value = useMemo(() => ({ list, byType: new Map(list.map((d) => [d.type, d])), error, loaded }), [list, error, loaded]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export const useCatalogue = () => useContext(Ctx);

/** Display order and names of the catalogue's categories (unknown ones go last, as named). */
export const CATEGORY_ORDER = ['data', 'transform', 'model', 'evaluate'];
export const CATEGORY_LABEL: Record<string, string> = { data: 'Data', transform: 'Transform', model: 'Model', evaluate: 'Evaluate' };
