/**
 * The OpenAPI document a deployment serves at /v1/openapi.json, from an app
 * booted in-process on a throw-away SQLite database, with the operator
 * endpoints on: what `npm run lint:openapi` lints and the SDKs are generated from.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

export async function servedOpenApiDocument(publicUrl = 'https://crm.trellis.internal'): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-openapi-'));
  try {
    const config = loadConfig({
      DATABASE_URL: path.join(dir, 'trellis.db'),
      LOG_LEVEL: 'silent',
      WEBHOOK_WORKER: 'false',
      PUBLIC_URL: publicUrl,
      TRELLIS_OPERATOR_TOKEN: 'openapi-document-only-0123456789abcdef',
    });
    const { app } = await buildApp(config);
    const response = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
    await app.close();
    if (response.statusCode !== 200) throw new Error(`GET /v1/openapi.json answered ${response.statusCode}`);
    return JSON.parse(response.body) as Record<string, unknown>;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
