import type { Readable } from 'node:stream';

/** Metadata of a stored object. */
export interface ObjectInfo {
  key: string;
  /** Size in bytes. */
  size: number;
}

/**
 * Where datasets (Arrow IPC files) and model artifacts live. Keys are relative paths of
 * `[A-Za-z0-9._-]` segments separated by `/`; nothing a user typed is ever used as a key.
 * Writes are atomic: an object is either absent or complete.
 */
export interface ObjectStore {
  readonly kind: 'local' | 's3';
  /** Stores `body` under `key`, replacing any previous object. Returns its size in bytes. */
  put(key: string, body: Buffer | Uint8Array | string | Readable, contentType?: string): Promise<ObjectInfo>;
  /** Streams a local file into the store (multipart for large files on S3). */
  putFile(key: string, filePath: string, contentType?: string): Promise<ObjectInfo>;
  /** Whole object. @throws ObjectNotFoundError */
  get(key: string): Promise<Buffer>;
  /**
   * Bytes `[start, endExclusive)`, clipped at the object's end (a range past the end is empty).
   * @throws ObjectNotFoundError; RangeError when `start < 0` or `endExclusive < start`.
   */
  getRange(key: string, start: number, endExclusive: number): Promise<Buffer>;
  /** The object as a stream. @throws ObjectNotFoundError */
  getStream(key: string): Promise<Readable>;
  /** Size of an object, or null when absent. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Removes an object; absent objects are ignored. */
  delete(key: string): Promise<void>;
  /** Objects whose key starts with `prefix`. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Checks the store answers (for /health). */
  ping(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`Object not found: ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

const KEY_RE = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * Rejects keys that could escape the store's root or are not of the safe form.
 * @throws Error when the key is unsafe.
 */
export function assertSafeKey(key: string): void {
  if (key.length > 512 || !KEY_RE.test(key) || key.split('/').some((s) => s === '.' || s === '..')) {
    throw new Error(`Unsafe object key: ${JSON.stringify(key)}`);
  }
}

/**
 * Checks a byte range `[start, endExclusive)`.
 * @throws RangeError when the bounds are not non-negative integers in order.
 */
export function assertRange(start: number, endExclusive: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endExclusive) || start < 0 || endExclusive < start) {
    throw new RangeError(`Invalid byte range [${start}, ${endExclusive})`);
  }
}
