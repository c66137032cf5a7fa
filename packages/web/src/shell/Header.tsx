/** The top bar: navigation, live-connection state and the signed-in user. */
import { useEffect, useState } from 'react';
import { authStore } from '../api/auth-store';
import { api } from '../api/client';
import { onLiveStatus, resetLive } from '../api/live';
import { useAuth } from '../auth/useAuth';
import { Icon, type IconName } from '../ui/icons';
import { Logo } from './Logo';
import { href, type Route } from './route';

const NAV: Array<{ page: Route['page']; label: string; icon: IconName }> = [
  { page: 'datasets', label: 'Datasets', icon: 'database' },
  { page: 'canvas', label: 'Canvas', icon: 'canvas' },
  { page: 'jobs', label: 'Jobs', icon: 'jobs' },
];

export function Header({ route }: { route: Route }) {
  const auth = useAuth();
  const [live, setLive] = useState(false);
  useEffect(() => onLiveStatus(setLive), []);
  return (
    <header className="topbar">
      <a className="topbar-brand" href="#/datasets" aria-label="Weft home">
        <Logo />
      </a>
      <nav className="topnav" aria-label="Main">
        {NAV.map((n) => (
          <a key={n.page} href={href({ page: n.page } as Route)} className={`topnav-link ${route.page === n.page ? 'active' : ''}`} aria-current={route.page === n.page ? 'page' : undefined}>
            <Icon name={n.icon} size={16} />
            {n.label}
          </a>
        ))}
      </nav>
      <div className="topbar-right">
        <span className={`live ${live ? 'live-on' : ''}`} aria-label={live ? 'Live updates connected' : 'Live updates offline'} title={live ? 'Live updates connected' : 'Live updates offline'}>
          <span className="dot" aria-hidden="true" />
          {live ? 'Live' : 'Offline'}
        </span>
        <a className="topbar-link" href="/api/docs/ui" target="_blank" rel="noreferrer">
          API
        </a>
        {auth.accessToken && (
          <>
            <span className="user" title={auth.user?.email}>
              <span className="avatar" aria-hidden="true">
                {(auth.user?.name ?? auth.user?.email ?? '?').slice(0, 1).toUpperCase()}
              </span>
              <span className="user-text">
                {auth.user?.email ?? 'Signed in'}
                {auth.workspaces.length === 1 && <small>{auth.workspaces[0]!.name ?? auth.workspaces[0]!.id}</small>}
              </span>
            </span>
            {auth.workspaces.length > 1 && (
              <select
                className="ws-select"
                aria-label="Workspace"
                value={auth.workspaceId ?? auth.workspaces[0]!.id}
                onChange={(e) => {
                  authStore.set({ workspaceId: e.target.value });
                  window.location.reload();
                }}
              >
                {auth.workspaces.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name ?? w.id}
                    {w.role ? ` (${w.role})` : ''}
                  </option>
                ))}
              </select>
            )}
            <button
              type="button"
              className="btn btn-ghost btn-sm btn-icon"
              aria-label="Sign out"
              title="Sign out"
              onClick={() => {
                const rt = authStore.get().refreshToken;
                if (rt) void api.logout(rt).catch(() => undefined);
                authStore.clear(true);
                resetLive();
              }}
            >
              <Icon name="logout" />
            </button>
          </>
        )}
      </div>
    </header>
  );
}
