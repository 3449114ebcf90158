/** Raw HTTP for the JSON-RPC door: bodies as the clients send them, with any content type or none. */
import http from 'node:http';
export interface RpcReply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export const basicAuth = (email: string, key: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${email}:${key}`).toString('base64')}` });

/**
 * POSTs `payload` (JSON-encoded unless it is already a string) to `path`.
 * `contentType: null` sends no Content-Type header, as Nutshell's Node client does.
 */
export async function rpcPost(baseUrl: string, payload: unknown, options: { headers?: Record<string, string>; contentType?: string | null; path?: string } = {}): Promise<RpcReply> {
  const headers: Record<string, string> = { ...options.headers };
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const response = await fetch(`${baseUrl}${options.path ?? '/api/v1/json'}`, {
    method: 'POST',
    headers,
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** A client of one endpoint with fixed credentials: `call(method, params, id)`. */
export function rpcClient(baseUrl: string, headers: Record<string, string>, path = '/api/v1/json') {
  const send = (payload: unknown, contentType?: string | null) => rpcPost(baseUrl, payload, { headers, path, ...(contentType !== undefined && { contentType }) });
  return {
    send,
    call: (method: string, params?: unknown, id: string | number = 'c1') => send({ jsonrpc: '2.0', method, ...(params !== undefined && { params }), id }),
  };
}

/**
 * POSTs as Nutshell's Node client does: `https.request` with `write()` and
 * `end()`, so the body goes chunked (no Content-Length) and without any
 * Content-Type; HTTP Basic from `auth` ("email:key").
 */
export function nodeClientPost(baseUrl: string, payload: unknown, auth: string, path = '/api/v1/json'): Promise<RpcReply> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', auth }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          body = undefined;
        }
        const headers = new Headers(Object.entries(response.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)] as [string, string]])));
        resolve({ status: response.statusCode ?? 0, headers, text, body });
      });
    });
    request.on('error', reject);
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    // Two writes, as a client streaming its body would: the server must read the whole of it.
    const half = Math.floor(text.length / 2);
    request.write(text.slice(0, half));
    request.write(text.slice(half));
    request.end();
  });
}
