// Builds dist/esm (ES modules) and dist/cjs (CommonJS) with .d.ts, by running tsc twice.
// --if-stale: only when dist is missing or older than src (npm test builds this way).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const here = path.resolve(import.meta.dirname, '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }, 0);
const built = path.join(here, 'dist/cjs/package.json');
if (process.argv.includes('--if-stale') && existsSync(built) && statSync(built).mtimeMs > Math.max(newest(path.join(here, 'src')), statSync(path.join(here, 'package.json')).mtimeMs)) {
  process.exit(0);
}
rmSync(path.join(here, 'dist'), { recursive: true, force: true });
for (const project of ['tsconfig.json', 'tsconfig.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', path.join(here, project)], { stdio: 'inherit', cwd: here });
}
// The package is "type": "module"; this marks dist/cjs's .js files as CommonJS.
mkdirSync(path.join(here, 'dist/cjs'), { recursive: true });
writeFileSync(path.join(here, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
