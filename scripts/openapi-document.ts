/**
 * Writes the OpenAPI document the server serves at /v1/openapi.json to a file
 * (default dist/openapi.json), so `npm run lint:openapi` lints exactly what
 * clients get. It is the document of a deployment: with PUBLIC_URL set (the
 * default http://localhost:3000 is for a laptop) and the operator endpoints on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { servedOpenApiDocument } from './served-openapi.js';

const out = process.argv[2] ?? 'dist/openapi.json';
const document = await servedOpenApiDocument(process.env.PUBLIC_URL);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${out}`);
