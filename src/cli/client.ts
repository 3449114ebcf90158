/**
 * The server-facing commands' client: the TypeScript SDK, pointed at
 * TRELLIS_URL with TRELLIS_API_KEY (or --url / --api-key), and how its errors
 * become exit statuses.
 */
import { APIConnectionError, APIError, Trellis } from '@trellis/sdk';
import { CliError, EXIT } from './exit-codes.js';

export interface RemoteOptions {
  url?: string;
  apiKey?: string;
}

export function client(options: RemoteOptions): Trellis {
  const apiKey = options.apiKey ?? process.env.TRELLIS_API_KEY;
  if (!apiKey) throw new CliError(EXIT.usage, 'No API key: set TRELLIS_API_KEY (or pass --api-key).');
  return new Trellis({ apiKey, baseUrl: options.url ?? process.env.TRELLIS_URL ?? 'http://localhost:3000' });
}

/** An SDK error as the command's message and exit status. */
export function fromSdkError(error: unknown): CliError | undefined {
  if (error instanceof APIError) {
    const details = error.details && Object.keys(error.details).length > 0 ? `\n${JSON.stringify(error.details, null, 2)}` : '';
    return new CliError(error.status >= 500 ? EXIT.unavailable : EXIT.refused, `${error.status} ${error.code}: ${error.message}${details}${error.requestId ? `\n(request ${error.requestId})` : ''}`);
  }
  if (error instanceof APIConnectionError) return new CliError(EXIT.unavailable, `${error.message} Is the server running at TRELLIS_URL?`);
  return undefined;
}
