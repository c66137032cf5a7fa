import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import {
  S3Client,
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  HeadBucketCommand,
  CreateBucketCommand,
  AbortMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ObjectInfo, ObjectNotFoundError, ObjectStore, assertRange, assertSafeKey } from './types.js';

export interface S3StoreOptions {
  bucket: string;
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Multipart part size in bytes (S3 minimum 5 MiB). Default 8 MiB. */
  partSizeBytes?: number;
  /** Parts uploaded concurrently. At most `partSizeBytes × (queueSize + 1)` bytes are buffered. Default 2. */
  queueSize?: number;
}

/**
 * Object store on the S3 API (AWS, MinIO, R2, s3rver). Path-style addressing when an
 * endpoint is given. Streams are uploaded in multipart parts (default 8 MiB, two in flight),
 * never held whole; a failed upload is aborted, so no partial object becomes visible.
 */
export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  readonly bucket: string;
  private readonly partSizeBytes: number;
  private readonly queueSize: number;

  constructor(opts: S3StoreOptions) {
    this.bucket = opts.bucket;
    this.partSizeBytes = Math.max(5 * 1024 * 1024, opts.partSizeBytes ?? 8 * 1024 * 1024);
    this.queueSize = Math.max(1, opts.queueSize ?? 2);
    this.client = new S3Client({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
      ...(opts.accessKeyId && opts.secretAccessKey
        ? { credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } }
        : {}),
    });
  }

  /** Creates the bucket when it does not exist (development and tests). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }

  async put(key: string, body: Buffer | Uint8Array | string | Readable, contentType = 'application/octet-stream'): Promise<ObjectInfo> {
    assertSafeKey(key);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      partSize: this.partSizeBytes,
      queueSize: this.queueSize,
      // we abort ourselves, so the body's error (not the abort's) is what the caller sees
      leavePartsOnError: true,
    });
    try {
      await upload.done();
    } catch (err) {
      await this.abortMultipart(key, upload);
      throw err;
    }
    const info = await this.head(key);
    if (!info) throw new Error(`S3 upload of ${key} finished but the object is absent`);
    return info;
  }

  /** Best effort: discards the parts of a failed multipart upload (a bucket lifecycle rule is the backstop). */
  private async abortMultipart(key: string, upload: Upload): Promise<void> {
    const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
    if (!uploadId) return;
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch {
      // e.g. s3rver does not implement AbortMultipartUpload; the object never became visible anyway
    }
  }

  putFile(key: string, filePath: string, contentType?: string): Promise<ObjectInfo> {
    return this.put(key, fs.createReadStream(filePath), contentType);
  }

  async get(key: string): Promise<Buffer> {
    const s = await this.getStream(key);
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async getRange(key: string, start: number, endExclusive: number): Promise<Buffer> {
    assertRange(start, endExclusive);
    if (endExclusive === start) {
      if (!(await this.head(key))) throw new ObjectNotFoundError(key);
      return Buffer.alloc(0);
    }
    let s: Readable;
    try {
      s = await this.getStream(key, `bytes=${start}-${endExclusive - 1}`);
    } catch (err) {
      // 416: the range starts at or past the end; like a file read there, that is no bytes.
      if ((err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 416) return Buffer.alloc(0);
      throw err;
    }
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async getStream(key: string, range?: string): Promise<Readable> {
    assertSafeKey(key);
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: range } : {}) }));
      return r.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertSafeKey(key);
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: Number(r.ContentLength ?? 0) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const r = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of r.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: Number(o.Size ?? 0) });
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
