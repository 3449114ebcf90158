// `npm start` serves the built server; build first when dist/ is missing or older than src/.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }, 0);

const entry = 'dist/src/server.js';
if (!existsSync('node_modules/.package-lock.json')) {
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
if (!existsSync(entry) || newest('src') > statSync(entry).mtimeMs) {
  console.log('Building Trellis…');
  execSync('npm run build --silent', { stdio: 'inherit' });
}
