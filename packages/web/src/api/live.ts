/**
 * Live job events over Socket.IO (`job:watch` → `job:event`). One shared socket, opened on
 * first use with the access token as `auth.token`. Each watcher gets every event of its
 * job in `seq` order, starting after `afterSeq` (stored events are replayed first).
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@weft/proto';
import { authStore } from './auth-store';
import { refreshTokens } from './client';
import type { JobEventDoc } from './types';

type WeftSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: WeftSocket | null = null;
const watchers = new Map<string, Set<(e: JobEventDoc) => void>>();
const lastSeq = new Map<string, number>();
const statusListeners = new Set<(connected: boolean) => void>();

let renewing = false;

/** The server refused our token: refresh it and reconnect, or ask for a sign-in. */
function renew(): void {
  if (renewing) return;
  if (!authStore.get().accessToken) {
    authStore.clear(true);
    return;
  }
  renewing = true;
  void refreshTokens().then((ok) => {
    renewing = false;
    if (ok) resetLive();
    else authStore.clear(true);
  });
}

function emitWatch(s: WeftSocket, jobId: string): void {
  s.emit('job:watch', { jobId, afterSeq: lastSeq.get(jobId) ?? 0 }, (res) => {
    if (!res.ok && res.error.code === 'UNAUTHENTICATED') renew();
  });
}

function connect(): WeftSocket {
  if (socket) return socket;
  const s: WeftSocket = io({
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    auth: (cb) => {
      const { accessToken, workspaceId } = authStore.get();
      cb(accessToken ? { token: accessToken, ...(workspaceId ? { workspaceId } : {}) } : {});
    },
  });
  s.on('connect', () => {
    for (const l of statusListeners) l(true);
    for (const jobId of watchers.keys()) emitWatch(s, jobId);
  });
  s.on('disconnect', () => {
    for (const l of statusListeners) l(false);
  });
  s.on('connect_error', (err) => {
    for (const l of statusListeners) l(false);
    if (/UNAUTHENTICATED/i.test(err.message)) renew();
  });
  s.on('job:event', (e) => {
    const seen = lastSeq.get(e.jobId) ?? 0;
    if (e.seq <= seen) return;
    lastSeq.set(e.jobId, e.seq);
    for (const fn of watchers.get(e.jobId) ?? []) fn(e);
  });
  socket = s;
  return s;
}

/** Follows a job's events; returns the function that stops following. */
export function watchJob(jobId: string, onEvent: (e: JobEventDoc) => void, afterSeq = 0): () => void {
  const s = connect();
  let set = watchers.get(jobId);
  if (!set) {
    set = new Set();
    watchers.set(jobId, set);
    lastSeq.set(jobId, afterSeq);
    if (s.connected) emitWatch(s, jobId);
  }
  set.add(onEvent);
  return () => {
    const cur = watchers.get(jobId);
    cur?.delete(onEvent);
    if (cur && cur.size === 0) {
      watchers.delete(jobId);
      lastSeq.delete(jobId);
      if (s.connected) s.emit('job:unwatch', { jobId });
    }
  };
}

/** Hears whether the live connection is up. */
export function onLiveStatus(fn: (connected: boolean) => void): () => void {
  const s = connect();
  statusListeners.add(fn);
  fn(s.connected);
  return () => statusListeners.delete(fn);
}

/** Drops the socket (after sign-out or a new token) so the next use reconnects with the new token. */
export function resetLive(): void {
  socket?.disconnect();
  socket = null;
  if (watchers.size > 0) connect();
}
