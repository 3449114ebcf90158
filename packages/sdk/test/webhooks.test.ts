/**
 * Trellis.webhooks.verify against real deliveries from the server (signed by
 * its standardwebhooks package), and its refusals.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Trellis, { WebhookVerificationError, type WebhookEvent } from '@trellis/sdk';
import { Webhook } from 'standardwebhooks';
import { startServer, type TestServer } from '../../../test/helpers/server.js';
import { unique } from '../../../test/helpers/factories.js';
import { WebhookReceiver, waitFor, type ReceivedDelivery } from '../../../test/helpers/webhook-receiver.js';
import { sdkTenant } from './helpers/setup.js';

let server: TestServer;
let receiver: WebhookReceiver;
let client: Trellis;
let endpointId: string;
let secret: string;

before(async () => {
  server = await startServer({ TRELLIS_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', WEBHOOK_POLL_INTERVAL_MS: '50' });
  receiver = await WebhookReceiver.start();
  ({ client } = await sdkTenant(server));
  const endpoint = await client.webhookEndpoints.create({ url: receiver.url(), events: ['contact.created'] });
  endpointId = endpoint.id;
  secret = endpoint.secret as string;
  receiver.trust(secret);
});
after(async () => {
  await receiver.close();
  await server.close();
});

/** Creates a contact and returns the delivery of its contact.created event. */
async function deliveryOfNewContact(): Promise<{ delivery: ReceivedDelivery; contactId: string }> {
  const contact = await client.contacts.create({ first_name: 'Hook', email: `${unique('hook-')}@example.com` });
  const delivery = await waitFor(() => receiver.received('contact.created').find((d) => d.event.data.object.id === contact.id), 10_000, 'the delivery');
  return { delivery, contactId: contact.id };
}

async function refusal(verifying: Promise<WebhookEvent>): Promise<string> {
  const error = await verifying.then(
    () => assert.fail('expected the delivery to be refused'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WebhookVerificationError, String(error));
  return error.message;
}

test('a real delivery verifies and gives the typed event, from a string, bytes, a Headers object', async () => {
  const { delivery, contactId } = await deliveryOfNewContact();
  const event = await Trellis.webhooks.verify(delivery.body, delivery.headers, secret);
  assert.equal(event.type, 'contact.created');
  assert.equal((event.data as { object: { id: string } }).object.id, contactId);
  assert.equal(event.id, delivery.headers['webhook-id']);
  const fromBytes = await Trellis.webhooks.verify(new TextEncoder().encode(delivery.body), new Headers(delivery.headers), secret);
  assert.equal(fromBytes.id, event.id);
});

test('a tampered body, a wrong secret, an old or a future timestamp, missing headers are refused', async () => {
  const { delivery } = await deliveryOfNewContact();
  const tampered = delivery.body.replace('"Hook"', '"Hack"');
  assert.notEqual(tampered, delivery.body);
  assert.match(await refusal(Trellis.webhooks.verify(tampered, delivery.headers, secret)), /No signature matches/);

  const other = await client.webhookEndpoints.create({ url: receiver.url('/other'), events: ['deal.won'] });
  assert.match(await refusal(Trellis.webhooks.verify(delivery.body, delivery.headers, other.secret as string)), /No signature matches/);

  const tenMinutes = 10 * 60 * 1000;
  assert.match(await refusal(Trellis.webhooks.verify(delivery.body, delivery.headers, secret, { now: Date.now() + tenMinutes })), /too old/);
  assert.match(await refusal(Trellis.webhooks.verify(delivery.body, delivery.headers, secret, { now: Date.now() - tenMinutes })), /future/);
  // Signed by the server's own library, correctly, but ten minutes ago.
  const oldTimestamp = new Date(Date.now() - tenMinutes);
  const oldSignature = new Webhook(secret).sign('msg_old', oldTimestamp, delivery.body);
  const oldHeaders = { 'webhook-id': 'msg_old', 'webhook-timestamp': String(Math.floor(oldTimestamp.getTime() / 1000)), 'webhook-signature': oldSignature };
  assert.match(await refusal(Trellis.webhooks.verify(delivery.body, oldHeaders, secret)), /too old/);
  assert.ok(await Trellis.webhooks.verify(delivery.body, oldHeaders, secret, { toleranceSeconds: 11 * 60 }));

  const { 'webhook-signature': _, ...unsigned } = delivery.headers;
  assert.match(await refusal(Trellis.webhooks.verify(delivery.body, unsigned, secret)), /Missing/);
});

test('during a secret rotation, deliveries verify with the old secret, the new one, or both given', async () => {
  const rotated = await client.webhookEndpoints.rotateSecret(endpointId);
  const newSecret = rotated.secret as string;
  receiver.trust(newSecret);
  const { delivery } = await deliveryOfNewContact();
  assert.equal(delivery.headers['webhook-signature']?.split(' ').length, 2);
  for (const secrets of [secret, newSecret, [secret, newSecret], ['whsec_bm90IHRoZSBzZWNyZXQ=', newSecret]]) {
    assert.equal((await Trellis.webhooks.verify(delivery.body, delivery.headers, secrets)).type, 'contact.created');
  }
  await refusal(Trellis.webhooks.verify(delivery.body, delivery.headers, ['whsec_bm90IHRoZSBzZWNyZXQ=']));
});

test('sign() makes the headers the standardwebhooks package makes and accepts, for testing a receiver', async () => {
  const body = JSON.stringify({ id: 'evt_1', type: 'ping' });
  const timestamp = new Date();
  const headers = await Trellis.webhooks.sign(body, secret, { id: 'msg_test', timestamp });
  assert.equal(headers['webhook-signature'], new Webhook(secret).sign('msg_test', timestamp, body));
  assert.deepEqual(new Webhook(secret).verify(body, headers), { id: 'evt_1', type: 'ping' });
  assert.equal((await Trellis.webhooks.verify(body, headers, secret)).id, 'evt_1');
});
