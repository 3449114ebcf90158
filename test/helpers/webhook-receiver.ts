/**
 * A real webhook receiver for tests: an HTTP server on 127.0.0.1 (port 0)
 * that checks every delivery with the `standardwebhooks` package, as a
 * customer's receiver would, and records what arrived. What it answers can be
 * changed at any time (fail, redirect, be slow). `waitFor` polls for a
 * condition with a deadline, so tests never sleep a fixed time.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';

export interface ReceivedDelivery {
  /** Request headers, lower-cased names. */
  headers: Record<string, string>;
  /** The raw body as sent. */
  body: string;
  /** The parsed event (undefined when the body is not JSON). */
  event: any;
  /** The secrets (of those trusted) whose signature `new Webhook(secret).verify(body, headers)` accepted. */
  verifiedWith: string[];
  method: string;
  path: string;
  /** The status this receiver answered. */
  answered: number;
  receivedAt: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Waits this long before answering. */
  delayMs?: number;
  /** After `body`, keeps sending more (`flood` repeated) until the client hangs up. */
  flood?: string;
}

export type Responder = (delivery: ReceivedDelivery) => Reply;

export class WebhookReceiver {
  readonly deliveries: ReceivedDelivery[] = [];
  /** TCP connections accepted, whether or not an HTTP request followed. */
  connections = 0;
  private readonly secrets = new Set<string>();
  private responder: Responder = () => ({ status: 200, body: 'ok' });
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new WebhookReceiver(server, (server.address() as AddressInfo).port);
    server.on('connection', (socket: Socket) => {
      receiver.connections++;
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    server.on('request', (request, response) => receiver.handle(request, response));
    return receiver;
  }

  /** http://127.0.0.1:<port><path> */
  url(path = '/webhooks'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Accepts signatures made with this secret from now on. */
  trust(secret: string): this {
    this.secrets.add(secret);
    return this;
  }

  /** Stops accepting signatures made with this secret. */
  distrust(secret: string): this {
    this.secrets.delete(secret);
    return this;
  }

  /** What to answer from now on; by default 200, or 400 when no trusted secret verifies the delivery. */
  respond(responder: Responder): this {
    this.responder = responder;
    return this;
  }

  /** Deliveries of this event type (or all), in arrival order. */
  received(type?: string): ReceivedDelivery[] {
    return type === undefined ? [...this.deliveries] : this.deliveries.filter((d) => d.event?.type === type);
  }

  /** Deliveries of one event, in arrival order. */
  ofEvent(eventId: string): ReceivedDelivery[] {
    return this.deliveries.filter((d) => d.event?.id === eventId);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : (value ?? '')]));
      let event: any;
      try {
        event = JSON.parse(body);
      } catch {
        event = undefined;
      }
      const verifiedWith = [...this.secrets].filter((secret) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      const delivery: ReceivedDelivery = { headers, body, event, verifiedWith, method: request.method ?? '', path: request.url ?? '', answered: 0, receivedAt: Date.now() };
      const reply = verifiedWith.length === 0 ? { status: 400, body: 'signature not verified' } : this.responder(delivery);
      delivery.answered = reply.status;
      this.deliveries.push(delivery);
      const send = () => {
        if (response.destroyed) return;
        response.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        if (reply.flood === undefined) return response.end(reply.body ?? '');
        const chunk = reply.flood.repeat(Math.ceil(65_536 / reply.flood.length));
        response.write(reply.body ?? '');
        const more = () => {
          while (!response.destroyed && response.write(chunk));
          if (!response.destroyed) response.once('drain', more);
        };
        more();
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  }
}

/**
 * Polls `probe` until it returns something truthy and returns that; throws
 * after `timeoutMs` with `what` and the last value seen.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, timeoutMs: number, what: string | (() => string) = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what} (last: ${JSON.stringify(last)})`);
    }
    await sleep(20);
  }
}
