/** The app shell: sign-in when the server asks for it, otherwise the three screens. */
import { useEffect } from 'react';
import { api } from './api/client';
import { authStore } from './api/auth-store';
import { SignIn } from './auth/SignIn';
import { useAuth } from './auth/useAuth';
import { CanvasPage } from './canvas/CanvasPage';
import { DatasetsPage } from './datasets/DatasetsPage';
import { JobsPage } from './jobs/JobsPage';
import { Header } from './shell/Header';
import { useRoute } from './shell/route';
import { CatalogueProvider } from './canvas/catalogue';

export function App() {
  const auth = useAuth();
  const route = useRoute();

  // With a stored token, refresh the user shown in the header (the server may not have auth yet: ignore failures).
  useEffect(() => {
    if (!auth.accessToken) return;
    api.me().then(
      (me) => {
        const user = me.user ?? (me.email ? { id: me.id, email: me.email, name: me.name } : null);
        if (user) authStore.set({ user, ...(me.workspaces ? { workspaces: me.workspaces } : {}) });
      },
      () => undefined,
    );
  }, [auth.accessToken]);

  if (auth.needsSignIn) return <SignIn />;
  return (
    <CatalogueProvider>
      <div className="app">
        <Header route={route} />
        <div className="page">
          {route.page === 'datasets' && <DatasetsPage selectedId={route.id} />}
          {/* The canvas stays mounted so a workflow being drawn survives a visit to another screen. */}
          <div className="page-canvas" hidden={route.page !== 'canvas'}>
            <CanvasPage active={route.page === 'canvas'} />
          </div>
          {route.page === 'jobs' && <JobsPage selectedId={route.id} />}
        </div>
      </div>
    </CatalogueProvider>
  );
}
