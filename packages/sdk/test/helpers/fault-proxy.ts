/**
 * A TCP proxy in front of a real Trellis server that can lose answers: for
 * a request that matches, it passes the request on, waits until the server
 * has started answering (so the server has done the work), then cuts the
 * client's connection without passing the answer back. It can also hold
 * answers back for a while (timeouts). It records every request head it saw.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** Whether its answer was cut off. */
  dropped: boolean;
}

type Matcher = (request: SeenRequest) => boolean;

export class FaultProxy {
  readonly requests: SeenRequest[] = [];
  private drops: Array<{ match: Matcher; remaining: number }> = [];
  private delayMs = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<FaultProxy> {
    const { hostname, port } = new URL(target);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new FaultProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (client) => proxy.connect(client, hostname, Number(port)));
    return proxy;
  }

  /** Cuts the answers of the next `count` requests that match. */
  dropAnswers(match: Matcher, count = 1): this {
    this.drops.push({ match, remaining: count });
    return this;
  }

  /** Holds every answer back this long from now on. */
  delayAnswers(ms: number): this {
    this.delayMs = ms;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connect(client: net.Socket, host: string, port: number): void {
    const upstream = net.connect(port, host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    let current: SeenRequest | undefined;
    let pending = Buffer.alloc(0);
    let bodyLeft = 0;
    client.on('data', (chunk: Buffer) => {
      // Requests on one connection come one after another (fetch does not pipeline): note each head.
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (bodyLeft > 0) {
          const skip = Math.min(bodyLeft, pending.length);
          bodyLeft -= skip;
          pending = pending.subarray(skip);
        }
        const end = bodyLeft > 0 ? -1 : pending.indexOf('\r\n\r\n');
        if (end < 0) break;
        current = parseHead(pending.toString('latin1', 0, end));
        this.requests.push(current);
        bodyLeft = Number(current.headers['content-length'] ?? 0);
        pending = pending.subarray(end + 4);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const request = current;
      const drop = request && !request.dropped && this.drops.find((d) => d.remaining > 0 && d.match(request));
      if (request && drop) {
        drop.remaining--;
        request.dropped = true;
        client.destroy();
        upstream.destroy();
        return;
      }
      if (this.delayMs > 0) setTimeout(() => client.writable && client.write(chunk), this.delayMs);
      else client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.end());
  }
}

function parseHead(head: string): SeenRequest {
  const [requestLine = '', ...lines] = head.split('\r\n');
  const [method = '', path = ''] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { method, path, headers, dropped: false };
}
