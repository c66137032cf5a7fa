/** Helpers that turn async functions into grpc-js handlers with WeftError → status mapping. */
import * as crypto from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { EXECUTOR_SECRET_METADATA, WeftError, toGrpcError } from '@weft/proto';
import type { Logger } from '@weft/common';

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
