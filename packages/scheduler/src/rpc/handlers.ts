/** Helpers that turn async functions into grpc-js handlers with WeftError → status mapping. */
import * as crypto from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { EXECUTOR_SECRET_METADATA, WeftError, toGrpcError } from '@weft/proto';
import { AUTHORIZATION_METADATA, INTERNAL_SECRET_METADATA, findApiKey, roleAtLeast, type Em, type Logger, type WorkspaceRole } from '@weft/common';

/** Wraps an async unary implementation; thrown errors become gRPC statuses with the JSON envelope. */
export function unary<Req, Res>(log: Logger, name: string, fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (err: unknown) => {
        if (!(err instanceof WeftError)) log.error({ err, rpc: name }, 'rpc failed');
        callback(toGrpcError(err));
      },
    );
  };
}

/** Constant-time string equality (lengths hidden by hashing). */
export function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/**
 * Checks the executor secret on a call's metadata.
 * @throws WeftError UNAUTHENTICATED when a secret is configured and the call lacks it.
 */
export function checkExecutorSecret(secret: string | undefined, metadata: grpc.Metadata): void {
  if (!secret) return;
  const got = metadata.get(EXECUTOR_SECRET_METADATA)[0];
  if (typeof got !== 'string' || !safeEqual(got, secret)) {
    throw new WeftError('UNAUTHENTICATED', `ExecutorService calls need a valid ${EXECUTOR_SECRET_METADATA} metadata value`);
  }
}

/** Workspace of a request: the given id, or `default`. */
export function workspaceOf(id: string | undefined): string {
  return id && id.trim() ? id.trim() : 'default';
}

/** Who a JobService call acts for. */
export interface JobCaller {
  /** The workspace every read and write is confined to; undefined = the request's (trusted caller). */
  workspaceId?: string;
  /** Role of an API key caller; trusted callers are not limited. */
  role?: WorkspaceRole;
  apiKeyId?: string;
}

/**
 * Authenticates a JobService call. `authorization: Bearer <API key>` metadata: the key is
 * verified against the database and its workspace is forced on the call (another workspace's
 * job answers NOT_FOUND). Without a key, the caller must present WEFT_INTERNAL_SECRET when one
 * is configured (the api, acting for users it authenticated); with none configured, it is trusted.
 * @throws WeftError UNAUTHENTICATED
 */
export async function authenticateJobCall(em: Em, internalSecret: string | undefined, metadata: grpc.Metadata): Promise<JobCaller> {
  const auth = metadata.get(AUTHORIZATION_METADATA)[0];
  if (auth !== undefined) {
    const raw = String(auth);
    const key = /^Bearer\s+/i.test(raw) ? raw.replace(/^Bearer\s+/i, '').trim() : raw.trim();
    const row = await findApiKey(em as never, key);
    if (!row) throw new WeftError('UNAUTHENTICATED', 'The API key in the authorization metadata is not valid (revoked or mistyped)');
    return { workspaceId: row.workspaceId, role: row.role, apiKeyId: row.id };
  }
  if (internalSecret) {
    const got = metadata.get(INTERNAL_SECRET_METADATA)[0];
    if (typeof got !== 'string' || !safeEqual(got, internalSecret)) {
      throw new WeftError('UNAUTHENTICATED', `JobService calls need \`${AUTHORIZATION_METADATA}: Bearer <API key>\` metadata`);
    }
  }
  return {};
}

/** @throws WeftError FORBIDDEN when an API key caller's role is below `min` */
export function requireCallerRole(caller: JobCaller, min: WorkspaceRole): void {
  if (caller.role && !roleAtLeast(caller.role, min)) {
    throw new WeftError('FORBIDDEN', `This call needs the ${min} role (the API key has ${caller.role})`, { role: caller.role, required: min });
  }
}

/** The workspace a call acts in: the caller's forced one, else the request's (default `default`). */
export function callWorkspace(caller: JobCaller, requested: string | undefined): string {
  return caller.workspaceId ?? workspaceOf(requested);
}
