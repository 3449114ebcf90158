/** Raw HTTP for the JSON-RPC door: bodies as the clients send them, with any content type or none. */
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
