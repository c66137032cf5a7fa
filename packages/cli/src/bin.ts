#!/usr/bin/env node
/** The `weft` executable. */
import { createProgram } from './program.js';

createProgram((code) => process.exit(code))
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
