/** Hash routes: #/datasets[/ID], #/canvas, #/jobs[/ID]. */
import { useEffect, useState } from 'react';

export type Route = { page: 'datasets'; id?: string } | { page: 'canvas' } | { page: 'jobs'; id?: string };

export function parseRoute(hash: string): Route {
  const [page, id] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (page === 'canvas') return { page: 'canvas' };
  if (page === 'jobs') return id ? { page: 'jobs', id } : { page: 'jobs' };
  return id ? { page: 'datasets', id } : { page: 'datasets' };
}

export function href(r: Route): string {
  return `#/${r.page}${'id' in r && r.id ? `/${encodeURIComponent(r.id)}` : ''}`;
}

export function navigate(r: Route): void {
  window.location.hash = href(r);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
