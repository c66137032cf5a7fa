/**
 * The sign-in screen, shown when the api answers 401 UNAUTHENTICATED: email and password
 * (POST /api/auth/login), or a new account (POST /api/auth/signup) where sign-up is open.
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError, type LoginResult } from '../api/client';
import { authStore } from '../api/auth-store';
import { resetLive } from '../api/live';
import { Button, ErrorNote, Field } from '../ui/kit';
import { Logo } from '../shell/Logo';

type Mode = 'signin' | 'signup';

export function SignIn() {
  const [mode, setMode] = useState<Mode>('signin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r: LoginResult = mode === 'signin' ? await api.login(email, password) : await api.signup(email, password, name || undefined);
      authStore.set({ accessToken: r.accessToken, refreshToken: r.refreshToken, user: r.user, workspaces: r.workspaces ?? [], workspaceId: null, needsSignIn: false });
      resetLive();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const signup = mode === 'signup';
  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} aria-label={signup ? 'Create an account' : 'Sign in'}>
        <Logo />
        <h1>{signup ? 'Create your Weft account' : 'Sign in to Weft'}</h1>
        <p className="muted">{signup ? 'You get your own workspace for datasets, workflows and models.' : 'This server needs an account, or your session has ended.'}</p>
        {signup && (
          <Field label="Name">
            {({ id }) => <input id={id} type="text" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} aria-label="Name" />}
          </Field>
        )}
        <Field label="Email">
          {({ id }) => <input id={id} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} aria-label="Email" />}
        </Field>
        <Field label="Password" hint={signup ? 'At least 8 characters' : undefined}>
          {({ id, describedBy }) => (
            <input
              id={id}
              type="password"
              autoComplete={signup ? 'new-password' : 'current-password'}
              required
              minLength={signup ? 8 : undefined}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-label="Password"
              aria-describedby={describedBy}
            />
          )}
        </Field>
        {error && <ErrorNote>{error}</ErrorNote>}
        <Button variant="primary" type="submit" disabled={busy} aria-label={signup ? 'Create account' : 'Sign in'}>
          {busy ? 'One moment…' : signup ? 'Create account' : 'Sign in'}
        </Button>
        <p className="muted small center">
          {signup ? 'Already have an account? ' : 'New here? '}
          <button
            type="button"
            className="linklike"
            onClick={() => {
              setMode(signup ? 'signin' : 'signup');
              setError(null);
            }}
          >
            {signup ? 'Sign in' : 'Create an account'}
          </button>
        </p>
        <p className="muted small center">
          Running locally? The owner account is in <code>.weft/credentials.json</code>.
        </p>
      </form>
    </main>
  );
}
