#!/usr/bin/env node
// Installed as `weft` (package.json "bin"); the compiled CLI lives in dist/ after `npm run build`.
require('../dist/bin.js');
