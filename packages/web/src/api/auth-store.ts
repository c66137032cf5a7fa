/**
 * Tokens of the signed-in user, kept in localStorage so a reload stays signed in. Listeners
 * hear every change (sign-in, refresh, sign-out, "the server wants a sign-in").
 */
export interface AuthUser {
  id?: string;
  email?: string;
  name?: string;
}

export interface Workspace {
  id: string;
  name?: string;
  role?: string;
}

export interface AuthState {
  accessToken: string | null;
  refreshToken: string | null;
  user: AuthUser | null;
  workspaces: Workspace[];
  /** The workspace requests act in (X-Weft-Workspace); null = the server's default for the user. */
  workspaceId: string | null;
  /** True once the server answered 401 UNAUTHENTICATED and no refresh helped. */
  needsSignIn: boolean;
}

const KEY = 'weft.auth';
const empty: AuthState = { accessToken: null, refreshToken: null, user: null, workspaces: [], workspaceId: null, needsSignIn: false };

function load(): AuthState {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return empty;
    const v = JSON.parse(raw) as Partial<AuthState>;
    return { ...empty, ...v, needsSignIn: false };
  } catch {
    return empty;
  }
}

let state: AuthState = load();
const listeners = new Set<(s: AuthState) => void>();

export const authStore = {
  get: (): AuthState => state,
  set(patch: Partial<AuthState>): void {
    state = { ...state, ...patch };
    const { needsSignIn: _ignored, ...persisted } = state;
    try {
      localStorage.setItem(KEY, JSON.stringify(persisted));
    } catch {
      /* private mode: keep in memory */
    }
    for (const l of listeners) l(state);
  },
  clear(needsSignIn = false): void {
    authStore.set({ ...empty, needsSignIn });
  },
  subscribe(l: (s: AuthState) => void): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};
