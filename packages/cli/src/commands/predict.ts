/** `weft predict MODEL_ID FILE.csv [--json]` */
import { resolveApiKey } from '../credentials.js';
import { ApiClient } from '../api-client.js';
import { table } from '../format.js';
import { EXIT, printJson, reportError } from './common.js';

/** Rows of predictions printed without --json. */
const SHOWN_ROWS = 20;

/** Batch prediction; prints the result document (--json) or the first rows. */
export async function predictCommand(modelId: string, file: string, opts: { server: string; apiKey?: string; json?: boolean }): Promise<number> {
  try {
    const doc = await new ApiClient(opts.server, resolveApiKey(opts.apiKey)).predictCsv(modelId, file);
    if (opts.json) {
      printJson(doc);
      return EXIT.ok;
    }
    const lines = [`Model ${doc.modelId}: ${doc.rowCount} predictions (job ${doc.jobId})`];
    const dist = doc.distances;
    const rows = doc.predictions
      .slice(0, SHOWN_ROWS)
      .map((p, i) => [String(i + 1), typeof p === 'object' ? JSON.stringify(p) : String(p), ...(dist ? [dist[i] === undefined ? '' : dist[i]!.toPrecision(4)] : [])]);
    lines.push(table([['row', dist ? 'cluster' : 'prediction', ...(dist ? ['distance'] : [])], ...rows]));
    if (doc.rowCount > SHOWN_ROWS) lines.push(`  … ${doc.rowCount - SHOWN_ROWS} more (use --json for all)`);
    for (const [col, u] of Object.entries(doc.unseenCategories ?? {})) {
      const vals = u.values ?? [];
      lines.push(`  warning: column "${col}": ${u.count} row(s) with categories unseen in training (${vals.slice(0, 10).join(', ')}${vals.length > 10 ? ' …' : ''}) were encoded as all zeros`);
    }
    for (const [col, v] of Object.entries(doc.invalidValues ?? {})) {
      const at = v.lines.length ? `, first at line${v.lines.length === 1 ? '' : 's'} ${v.lines.join(', ')}${v.count > v.lines.length ? ' …' : ''}` : '';
      lines.push(`  warning: column "${col}": ${v.count} value(s) could not be read as ${v.type} and were predicted as missing${at}`);
    }
    process.stdout.write(lines.join('\n') + '\n');
    return EXIT.ok;
  } catch (err) {
    return reportError(err, { json: !!opts.json });
  }
}
