/**
 * HTTP/1.1 over a bare TCP socket (node:net), for requests fetch cannot send:
 * malformed framing, a missing Host, oversized headers, odd Expect values,
 * raw bytes in the path. Answers are parsed by hand, keep-alive included.
 */
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: any;
}

export interface RawExchange {
  /** Every response read from the connection, in order. */
  responses: RawResponse[];
  /** The connection ended by a FIN (false: reset, or still open at the deadline). */
  closedCleanly: boolean;
  error: string | undefined;
}

/** Parses as many complete responses as `data` holds (Content-Length framed, as Trellis answers). */
export function parseResponses(data: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return responses;
    const [statusLine = '', ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const body = rest.subarray(end + 4, end + 4 + length).toString('utf8');
    let json: unknown;
    try {
      json = body === '' ? undefined : JSON.parse(body);
    } catch {
      json = undefined;
    }
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body, json });
    rest = rest.subarray(end + 4 + length);
  }
}

/**
 * Writes `chunks` to a new connection (each after the previous answer arrived
 * when `waitBetween`), then reads until the server closes or `timeoutMs`.
 */
export function rawExchange(port: number, chunks: (string | Buffer)[], options: { timeoutMs?: number; waitBetween?: boolean } = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let error: string | undefined;
    let ended = false;
    const finish = () => {
      clearTimeout(deadline);
      socket.destroy();
      resolve({ responses: parseResponses(Buffer.concat(received)), closedCleanly: ended && error === undefined, error });
    };
    const deadline = setTimeout(finish, options.timeoutMs ?? 3000);
    let next = 0;
    const sendNext = () => {
      const chunk = chunks[next++];
      if (chunk !== undefined) socket.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    };
    socket.on('connect', () => {
      if (options.waitBetween) sendNext();
      else while (next < chunks.length) sendNext();
    });
    socket.on('data', (data) => {
      received.push(data);
      if (options.waitBetween && parseResponses(Buffer.concat(received)).length >= next) sendNext();
    });
    socket.on('end', () => {
      ended = true;
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', finish);
  });
}
