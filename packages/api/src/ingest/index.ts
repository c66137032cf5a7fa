/**
 * CSV ingest: CSV file → typed Apache Arrow IPC file + schema + profile + warnings.
 * The api routes import only this module.
 */
export { ingestCsvFile, type IngestResult } from './ingest.js';
export { ingestCsvFileInWorker } from './in-worker.js';
export { DEFAULT_NULL_TOKENS, type IngestOptions } from './options.js';
