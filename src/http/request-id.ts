/** Request ids: a sane client-sent X-Request-Id is echoed, else one is made (`req_…`). */
import type { IncomingMessage } from 'node:http';
import { newId } from '../platform/ids.js';

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && SANE.test(sent) ? sent : newId('request');
}
