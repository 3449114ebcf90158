// `npm start` and the `trellis` command run the built code: build first when dist/ (or the
// SDK's dist/, or the web app's web/dist/) is missing or older than its sources. Run as a
// script (`--web` for the web app only, as `npm test` needs), or import ensureBuild.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const newest = (entry) => {
  if (!existsSync(entry)) return 0;
  if (!statSync(entry).isDirectory()) return statSync(entry).mtimeMs;
  return readdirSync(entry, { withFileTypes: true }).reduce((latest, child) => Math.max(latest, newest(path.join(entry, child.name))), 0);
};

const stale = (sources, built) => !existsSync(built) || Math.max(...[sources].flat().map(newest)) > statSync(built).mtimeMs;

/** What the web app's bundle is made of: its sources, the SDK it calls the API with, and the server's catalogues it shows. */
const WEB_SOURCES = ['web/src', 'web/index.html', 'web/vite.config.ts', 'web/package.json', 'packages/sdk/src', 'src/domain/actor.ts', 'src/domain/rate-limits.ts', 'src/events/event-types.ts'];

/** `only: 'web'`: the SDK and the web app (tests); `web: false`: not the web app (CLI commands other than serve). */
export function ensureBuild({ quiet = false, only, web = true } = {}) {
  const run = (command) => execSync(command, { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
  if (!existsSync(path.join(root, 'node_modules/.package-lock.json'))) run('npm install --no-audit --no-fund');
  if (stale(path.join(root, 'packages/sdk/src'), path.join(root, 'packages/sdk/dist/esm/index.js'))) {
    if (!quiet) console.error('Building the SDK…');
    run('npm run sdk:build --silent');
  }
  if (only !== 'web' && stale(path.join(root, 'src'), path.join(root, 'dist/src/server.js'))) {
    if (!quiet) console.error('Building Trellis…');
    run('npm run build --silent');
  }
  if (web && stale(WEB_SOURCES.map((source) => path.join(root, source)), path.join(root, 'web/dist/index.html'))) {
    if (!quiet) console.error('Building the web app…');
    run('npm run web:build --silent');
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) ensureBuild({ only: process.argv.includes('--web') ? 'web' : undefined });
