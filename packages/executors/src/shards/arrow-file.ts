/**
 * Ranged reads of an Arrow IPC *file*: the footer (last 10 bytes: int32 footer length and
 * "ARROW1") lists the byte ranges of every dictionary and record batch message, so a shard
 * — batches [batchStart, batchEnd) — is read without the rest of the file. The shard is
 * returned as a self-contained IPC *stream* (schema message, dictionaries, the shard's
 * batches, end-of-stream marker) that `tableFromIPC` decodes.
 */
import type { ObjectStore } from '@weft/common';
import { Footer, type FileBlock } from 'apache-arrow/ipc/metadata/file';
import { Message } from 'apache-arrow/ipc/metadata/message';
import type { RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { WeftError } from '@weft/proto';

/** What the footer says, plus the row offset of every batch. */
export interface ArrowFileIndex {
  /** Schema message framed as a stream message (continuation, length, flatbuffer, padding). */
  schemaMessage: Uint8Array;
  dictionaries: FileBlock[];
  batches: FileBlock[];
  /** rowStarts[i]: dataset row id of the first row of batch i; rowStarts[n] = total rows. */
  rowStarts: number[];
}

const TAIL_BYTES = 10;
const EOS = Uint8Array.from([255, 255, 255, 255, 0, 0, 0, 0]);

/** Frames a flatbuffer message as the stream format does (8-byte aligned). */
function frame(flatbuffer: Uint8Array): Uint8Array {
  const aligned = (flatbuffer.length + 8 + 7) & ~7;
  const out = new Uint8Array(aligned);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, -1, true);
  dv.setInt32(4, aligned - 8, true);
  out.set(flatbuffer, 8);
  return out;
}

/** Decodes a message's metadata block (with or without the continuation marker). */
function decodeMeta(meta: Uint8Array): Message {
  const dv = new DataView(meta.buffer, meta.byteOffset, meta.byteLength);
  const first = dv.getInt32(0, true);
  const [start, len] = first === -1 ? [8, dv.getInt32(4, true)] : [4, first];
  return Message.decode(meta.subarray(start, start + len));
}

/**
 * Reads the footer and the row counts of every batch (one ranged read for the tail, one for
 * the footer, one per batch header). @throws WeftError DATASET_UNREADABLE when not an Arrow file.
 */
export async function readArrowIndex(store: ObjectStore, key: string): Promise<ArrowFileIndex> {
  const size = (await store.head(key))?.size ?? null;
  if (size === null) throw new WeftError('NOT_FOUND', `dataset object ${key} does not exist`);
  if (size < 6 + 2 + TAIL_BYTES) throw new WeftError('INTERNAL', `DATASET_UNREADABLE: dataset object ${key} is too small to be an Arrow file (${size} bytes)`);
  const tail = await store.getRange(key, size - TAIL_BYTES, size);
  if (tail.subarray(4).toString('latin1') !== 'ARROW1') throw new WeftError('INTERNAL', `DATASET_UNREADABLE: dataset object ${key} is not an Arrow IPC file (no ARROW1 trailer)`);
  const footerLen = tail.readInt32LE(0);
  const footerBytes = await store.getRange(key, size - TAIL_BYTES - footerLen, size - TAIL_BYTES);
  const footer = Footer.decode(new Uint8Array(footerBytes.buffer, footerBytes.byteOffset, footerBytes.byteLength));
  const batches = [...footer.recordBatches()];
  const rowStarts = [0];
  for (const b of batches) {
    const meta = await store.getRange(key, b.offset, b.offset + b.metaDataLength);
    const msg = decodeMeta(new Uint8Array(meta.buffer, meta.byteOffset, meta.byteLength));
    rowStarts.push(rowStarts[rowStarts.length - 1]! + Number((msg.header() as RecordBatchHeader).length));
  }
  return { schemaMessage: frame(Message.encode(Message.from(footer.schema, 0))), dictionaries: [...footer.dictionaryBatches()], batches, rowStarts };
}

/** A shard read from a file: IPC stream bytes and the dataset row id of its first row. */
export interface ShardData {
  bytes: Uint8Array;
  rowStart: number;
  rowCount: number;
}

/**
 * Reads batches [batchStart, batchEnd) (clamped to the file) as a stream with the schema and
 * dictionaries. One ranged read for the dictionaries and one for the contiguous batches.
 */
export async function readShard(store: ObjectStore, key: string, index: ArrowFileIndex, batchStart: number, batchEnd: number): Promise<ShardData> {
  const end = Math.min(batchEnd, index.batches.length);
  const start = Math.min(batchStart, end);
  const parts: Uint8Array[] = [index.schemaMessage];
  const span = async (blocks: FileBlock[]) => {
    if (!blocks.length) return;
    const from = blocks[0]!.offset;
    const last = blocks[blocks.length - 1]!;
    const buf = await store.getRange(key, from, last.offset + last.metaDataLength + last.bodyLength);
    for (const b of blocks) parts.push(buf.subarray(b.offset - from, b.offset - from + b.metaDataLength + b.bodyLength));
  };
  // Dictionaries are written one after another before the first batch; read them as a run.
  await span([...index.dictionaries].sort((a, b) => a.offset - b.offset));
  await span(index.batches.slice(start, end));
  parts.push(EOS);
  let total = 0;
  for (const p of parts) total += p.length;
  const bytes = new Uint8Array(new SharedArrayBuffer(total));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, rowStart: index.rowStarts[start]!, rowCount: index.rowStarts[end]! - index.rowStarts[start]! };
}
