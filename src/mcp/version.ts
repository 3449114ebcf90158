/** The version Trellis reports to MCP clients: package.json's, from src/ or from dist/src/. */
import fs from 'node:fs';

const candidates = ['../../package.json', '../../../package.json'].map((p) => new URL(p, import.meta.url));
const file = candidates.find((url) => fs.existsSync(url));
export const TRELLIS_VERSION: string = file ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version : '0.0.0';
