#!/usr/bin/env node
// The `trellis` command (`npx trellis …` in the checkout): builds if needed, then runs dist/src/cli/main.js.
import { ensureBuild } from '../scripts/ensure-build.mjs';

// Only `trellis serve` serves the web app: other commands do not wait for its build.
ensureBuild({ quiet: true, web: process.argv[2] === 'serve' });
await import('../dist/src/cli/main.js');
