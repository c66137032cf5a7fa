/**
 * Which credential the CLI sends: `--api-key`, else the environment's WEFT_API_KEY, else the
 * API key of the local owner in `<WEFT_DATA_DIR or ./.weft>/credentials.json` (written by
 * `weft up` / `weft demo` on first start).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The local credentials file of a data directory. */
export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(path.resolve(env.WEFT_DATA_DIR || '.weft'), 'credentials.json');
}

/** The API key to use, or undefined (requests then go unauthenticated and the api answers 401). */
export function resolveApiKey(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flag) return flag;
  if (env.WEFT_API_KEY) return env.WEFT_API_KEY;
  try {
    const doc = JSON.parse(fs.readFileSync(credentialsFile(env), 'utf8')) as { apiKey?: unknown };
    return typeof doc.apiKey === 'string' ? doc.apiKey : undefined;
  } catch {
    return undefined;
  }
}
