/** Shared helpers for the ingest tests (not part of the public surface). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { ingestCsvFile, type IngestOptions, type IngestResult } from './index.js';

/** Repository root (tests run from packages/api/dist/ingest). */
export const ROOT = path.resolve(__dirname, '../../../..');
export const CASES = path.join(ROOT, 'tests/cases/ingest');
export const DATASETS = path.join(ROOT, 'examples/datasets');

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-ingest-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let counter = 0;
/** Ingests a file into a fresh temp Arrow file and reads the table back. */
export async function ingest(dir: string, csvPath: string, opts?: IngestOptions): Promise<{ result: IngestResult; table: Table; arrowPath: string }> {
  const arrowPath = path.join(dir, `out-${++counter}.arrow`);
  const result = await ingestCsvFile(csvPath, arrowPath, opts);
  const table = tableFromIPC(readFileSync(arrowPath));
  return { result, table, arrowPath };
}

/** Writes bytes or text to a temp file and returns its path. */
export function writeTemp(dir: string, name: string, content: string | Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** A column's values with nulls kept as null (Vector.toArray() would turn them into 0). */
export function values(table: Table, name: string): unknown[] {
  const v = table.getChild(name);
  if (!v) throw new Error(`no column ${name}`);
  const out: unknown[] = [];
  for (let i = 0; i < v.length; i++) out.push(v.isValid(i) ? v.get(i) : null);
  return out;
}

/** Asserts a promise rejects with a WeftError of `code`; returns the error. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<{ code: string; message: string; details: unknown }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: string; message: string; details: unknown };
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`);
    return err as { code: string; message: string; details: unknown };
  }
  throw new Error(`expected ${code}, but it resolved`);
}

/** Fails if any number anywhere in `x` is NaN or ±Infinity (JSON would not carry it). */
export function assertNoNonFinite(x: unknown, where = '$'): void {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new Error(`non-finite number at ${where}`);
  } else if (Array.isArray(x)) x.forEach((v, i) => assertNoNonFinite(v, `${where}[${i}]`));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) assertNoNonFinite(v, `${where}.${k}`);
}
