import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectInfo, ObjectNotFoundError, ObjectStore, assertRange, assertSafeKey } from './types.js';

/**
 * Object store on a local directory. Writes go to a temporary file in the same directory
 * and are renamed into place, so readers never see a partial object.
 */
export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  constructor(readonly root: string) {}

  private file(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, key);
  }

  private async writeAtomically(key: string, write: (tmp: string) => Promise<void>): Promise<ObjectInfo> {
    const dest = this.file(key);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await write(tmp);
      await fsp.rename(tmp, dest);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    const st = await fsp.stat(dest);
    return { key, size: st.size };
  }

  put(key: string, body: Buffer | Uint8Array | string | Readable): Promise<ObjectInfo> {
    return this.writeAtomically(key, async (tmp) => {
      if (body instanceof Readable) await pipeline(body, fs.createWriteStream(tmp));
      else await fsp.writeFile(tmp, body);
    });
  }

  putFile(key: string, filePath: string): Promise<ObjectInfo> {
    return this.writeAtomically(key, (tmp) => fsp.copyFile(filePath, tmp));
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await fsp.readFile(this.file(key));
    } catch (err) {
      throw notFound(err, key);
    }
  }

  async getRange(key: string, start: number, endExclusive: number): Promise<Buffer> {
    assertRange(start, endExclusive);
    let fh: fsp.FileHandle | undefined;
    try {
      fh = await fsp.open(this.file(key), 'r');
      const len = Math.max(0, endExclusive - start);
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, start);
      return buf.subarray(0, bytesRead);
    } catch (err) {
      throw notFound(err, key);
    } finally {
      await fh?.close();
    }
  }

  async getStream(key: string): Promise<Readable> {
    const f = this.file(key);
    try {
      await fsp.access(f);
    } catch (err) {
      throw notFound(err, key);
    }
    return fs.createReadStream(f);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const file = this.file(key);
    try {
      const st = await fsp.stat(file);
      return { key, size: st.size };
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.file(key), { force: true });
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (!e.name.includes('.tmp-')) {
          const key = path.relative(this.root, full).split(path.sep).join('/');
          if (key.startsWith(prefix)) out.push({ key, size: (await fsp.stat(full)).size });
        }
      }
    };
    await walk(this.root);
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async ping(): Promise<void> {
    await fsp.mkdir(this.root, { recursive: true });
    await fsp.access(this.root, fs.constants.W_OK);
  }
}

function notFound(err: unknown, key: string): Error {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT' ? new ObjectNotFoundError(key) : (err as Error);
}
