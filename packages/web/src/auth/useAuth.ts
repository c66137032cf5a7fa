/** The auth state as a React hook. */
import { useSyncExternalStore } from 'react';
import { authStore, type AuthState } from '../api/auth-store';

export function useAuth(): AuthState {
  return useSyncExternalStore(authStore.subscribe, authStore.get, authStore.get);
}
