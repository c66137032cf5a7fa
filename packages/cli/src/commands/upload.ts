/** `weft upload FILE.csv [--name N] [--skip-bad-rows] [--json]` */
import { resolveApiKey } from '../credentials.js';
import { ApiClient } from '../api-client.js';
import { datasetSummary } from '../format.js';
import { EXIT, printJson, reportError } from './common.js';

export interface UploadCommandOptions {
  server: string;
  apiKey?: string;
  name?: string;
  skipBadRows?: boolean;
  json?: boolean;
}

/** Uploads a CSV; prints the dataset (JSON or a summary). Returns the exit code. */
export async function uploadCommand(file: string, opts: UploadCommandOptions): Promise<number> {
  try {
    const doc = await new ApiClient(opts.server, resolveApiKey(opts.apiKey)).uploadCsv(file, {
      ...(opts.name ? { name: opts.name } : {}),
      ...(opts.skipBadRows ? { skipBadRows: true } : {}),
    });
    if (opts.json) printJson(doc);
    else process.stdout.write(datasetSummary(doc) + '\n');
    return EXIT.ok;
  } catch (err) {
    return reportError(err, { json: !!opts.json });
  }
}
