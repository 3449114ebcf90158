/**
 * Webhooks: endpoints (URL, events from the catalogue, enabled), the signing
 * secret shown once (on create and rotate), "send test event", and each
 * endpoint's delivery log (status, attempts, last response code and time, the
 * request body and the receiver's answer) with retry.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ItemOf } from '@trellis/sdk';
import { useState, type FormEvent } from 'react';
import { SUBSCRIBABLE_EVENT_TYPES } from '../api/catalogue';
import { api } from '../api/client';
import { ConfirmButton } from '../ui/dialog';
import { fieldErrors, Loading, Notice, ProblemAlert } from '../ui/feedback';
import { CheckboxField, FieldGroup, TextField } from '../ui/fields';
import { Page } from '../ui/page';
import { SecretOnce } from '../ui/secret';
import { Json } from '../ui/json';
import { Time } from '../ui/time';

type Endpoint = ItemOf<'webhook_endpoints.list'>;
type Delivery = ItemOf<'webhook_endpoints.deliveries'>;

const ENDPOINTS = ['webhook-endpoints'] as const;

export default function Webhooks() {
  const [secret, setSecret] = useState<{ title: string; value: string } | undefined>();
  const [selected, setSelected] = useState<string | undefined>();
  const showSecret = (title: string, value: string | undefined) => {
    if (value) setSecret({ title, value });
    window.scrollTo({ top: 0 });
  };
  return (
    <Page title="Webhooks" managersOnly intro="Trellis POSTs each change to your endpoints as it happens, signed with the endpoint’s secret (Standard Webhooks), and retries failed deliveries for about a day.">
      {secret && <SecretOnce label={secret.title} secret={secret.value} />}
      <EndpointList selected={selected} onSelect={setSelected} onSecret={showSecret} />
      {selected && <EndpointDetails key={selected} id={selected} />}
      <EndpointForm
        onCreated={(endpoint) => {
          showSecret(`Signing secret of ${endpoint.url}`, endpoint.secret);
          setSelected(endpoint.id);
        }}
      />
    </Page>
  );
}

function EndpointList({ selected, onSelect, onSecret }: { selected: string | undefined; onSelect: (id: string | undefined) => void; onSecret: (title: string, value: string | undefined) => void }) {
  const queryClient = useQueryClient();
  const endpoints = useQuery({ queryKey: ENDPOINTS, queryFn: () => api.webhookEndpoints.list({ limit: 100 }) });
  const [notice, setNotice] = useState<string | undefined>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ENDPOINTS });
  const test = useMutation({
    mutationFn: (endpoint: Endpoint) => api.webhookEndpoints.test(endpoint.id),
    onSuccess: (_event, endpoint) => {
      setNotice(`A test event (ping) is on its way to ${endpoint.url}. It appears in the delivery log below.`);
      onSelect(endpoint.id);
      void queryClient.invalidateQueries({ queryKey: ['deliveries', endpoint.id] });
    },
  });
  const rotate = useMutation({
    mutationFn: (endpoint: Endpoint) => api.webhookEndpoints.rotateSecret(endpoint.id),
    onSuccess: (endpoint) => {
      setNotice('The old secret keeps signing deliveries for 24 hours beside the new one, so your receiver can switch over.');
      onSecret(`New signing secret of ${endpoint.url}`, endpoint.secret);
      void refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: (endpoint: Endpoint) => api.webhookEndpoints.update(endpoint.id, { enabled: !endpoint.enabled }, { ifMatch: endpoint.version }),
    onSuccess: (endpoint) => {
      setNotice(`${endpoint.url} is ${endpoint.enabled ? 'enabled' : 'disabled'}.`);
      void refresh();
    },
    onError: () => void refresh(),
  });
  const remove = useMutation({
    mutationFn: (endpoint: Endpoint) => api.webhookEndpoints.delete(endpoint.id),
    onSuccess: (_done, endpoint) => {
      setNotice(`${endpoint.url} is deleted.`);
      if (selected === endpoint.id) onSelect(undefined);
      void refresh();
    },
  });

  if (endpoints.isPending) return <Loading what="webhook endpoints" />;
  if (endpoints.error) return <ProblemAlert error={endpoints.error} title="Could not load the endpoints." />;
  return (
    <section aria-labelledby="endpoints-title">
      <h2 id="endpoints-title">Endpoints</h2>
      {notice && <Notice>{notice}</Notice>}
      {[test.error, rotate.error, toggle.error, remove.error].map((error, index) => (error ? <ProblemAlert key={index} error={error} /> : null))}
      {endpoints.data.data.length === 0 ? (
        <p className="empty">No endpoints yet. Add one below.</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.data.map((endpoint) => (
                <tr key={endpoint.id} aria-current={selected === endpoint.id || undefined}>
                  <td data-label="URL">
                    <span className="mono">{endpoint.url}</span>
                    {endpoint.description && <div className="hint">{endpoint.description}</div>}
                  </td>
                  <td data-label="Events">{endpoint.events.includes('*') ? 'All events' : endpoint.events.join(', ')}</td>
                  <td data-label="Status">
                    {endpoint.enabled ? <span className="badge good">Enabled</span> : <span className="badge bad">Disabled</span>}
                    {endpoint.disabled_reason && <div className="hint">{endpoint.disabled_reason}</div>}
                    {endpoint.failing_since && (
                      <div className="hint">
                        Failing since <Time value={endpoint.failing_since} />
                      </div>
                    )}
                  </td>
                  <td className="actions-cell">
                    <button type="button" className="button small" onClick={() => onSelect(endpoint.id)}>
                      Deliveries<span className="visually-hidden"> of {endpoint.url}</span>
                    </button>
                    <button type="button" className="button small" onClick={() => test.mutate(endpoint)} disabled={test.isPending}>
                      Send test event<span className="visually-hidden"> to {endpoint.url}</span>
                    </button>
                    <button type="button" className="button small" onClick={() => toggle.mutate(endpoint)} disabled={toggle.isPending}>
                      {endpoint.enabled ? 'Disable' : 'Enable'}<span className="visually-hidden"> {endpoint.url}</span>
                    </button>
                    <ConfirmButton small label="Rotate secret" danger={false} context={`of ${endpoint.url}`} title="Rotate the signing secret?" confirmLabel="Rotate secret" onConfirm={() => rotate.mutate(endpoint)}>
                      <p>A new secret is made and shown once. Deliveries are signed with both for 24 hours.</p>
                    </ConfirmButton>
                    <ConfirmButton small label="Delete" context={endpoint.url} title={`Delete ${endpoint.url}?`} confirmLabel="Delete endpoint" onConfirm={() => remove.mutate(endpoint)}>
                      <p>No more events are sent to it; its delivery log goes with it.</p>
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function EndpointDetails({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const endpoint = useQuery({ queryKey: ['webhook-endpoint', id], queryFn: () => api.webhookEndpoints.get(id) });
  // Deliveries change on their own (the worker sends and retries): looked at again every few seconds.
  const deliveries = useQuery({ queryKey: ['deliveries', id], queryFn: () => api.webhookEndpoints.deliveries(id, { limit: 50, sort: '-created_at' }), refetchInterval: 3000 });
  const [notice, setNotice] = useState<string | undefined>();
  const retry = useMutation({
    mutationFn: (delivery: Delivery) => api.webhookDeliveries.retry(delivery.id),
    onSuccess: (delivery) => {
      setNotice(`Delivery of ${delivery.event_type} queued again.`);
      void queryClient.invalidateQueries({ queryKey: ['deliveries', id] });
    },
  });
  return (
    <section aria-labelledby="deliveries-title" className="card">
      <h2 id="deliveries-title">Delivery log{endpoint.data && <> of <span className="mono">{endpoint.data.url}</span></>}</h2>
      {notice && <Notice>{notice}</Notice>}
      <ProblemAlert error={retry.error} title="Could not retry." />
      {deliveries.isPending ? (
        <Loading what="deliveries" />
      ) : deliveries.error ? (
        <ProblemAlert error={deliveries.error} title="Could not load the deliveries." />
      ) : deliveries.data.data.length === 0 ? (
        <p className="empty">No deliveries yet. Send a test event to see one.</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last code</th>
                <th scope="col">Last attempt</th>
                <th scope="col">Details</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.data.map((delivery) => (
                <tr key={delivery.id}>
                  <td data-label="Event">{delivery.event_type}</td>
                  <td data-label="Status">
                    <span className={`badge ${delivery.status === 'succeeded' ? 'good' : delivery.status === 'failed' ? 'bad' : ''}`}>{delivery.status}</span>
                    {delivery.next_attempt_at && delivery.status === 'pending' && (
                      <div className="hint">
                        next try <Time value={delivery.next_attempt_at} />
                      </div>
                    )}
                  </td>
                  <td data-label="Attempts">{delivery.attempts}</td>
                  <td data-label="Last code">{delivery.last_status_code ?? '—'}</td>
                  <td data-label="Last attempt">
                    <Time value={delivery.last_attempt_at} fallback="not yet" />
                    {delivery.last_latency_ms !== null && <span className="hint"> ({delivery.last_latency_ms} ms)</span>}
                  </td>
                  <td data-label="Details">
                    <DeliveryBodies delivery={delivery} />
                  </td>
                  <td className="actions-cell">
                    <button type="button" className="button small" onClick={() => retry.mutate(delivery)} disabled={retry.isPending}>
                      Retry<span className="visually-hidden"> the {delivery.event_type} delivery</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {endpoint.data && <EditEndpoint endpoint={endpoint.data} />}
    </section>
  );
}

/** The request Trellis sent (the event, as the receiver got it) and what the receiver answered to the last attempt. */
function DeliveryBodies({ delivery }: { delivery: Delivery }) {
  const attempted = delivery.last_status_code !== null || delivery.last_error !== null;
  const response = [delivery.last_status_code !== null ? `HTTP ${delivery.last_status_code}` : null, delivery.last_error, delivery.last_response_body].filter((part) => part !== null && part !== '');
  return (
    <details>
      <summary>
        Request and response<span className="visually-hidden"> of the {delivery.event_type} delivery</span>
      </summary>
      <h3>Request body</h3>
      {delivery.request_body === null || delivery.request_body === undefined ? <p className="empty">No longer kept (past the event retention).</p> : <Json value={delivery.request_body} label={`Request body of the ${delivery.event_type} delivery`} />}
      <h3>Response</h3>
      {attempted ? <Json value={response.join('\n\n')} label={`Response to the ${delivery.event_type} delivery`} /> : <p className="empty">No attempt yet.</p>}
    </details>
  );
}

function EventChecklist({ value, onChange, errors }: { value: string[]; onChange: (events: string[]) => void; errors: string[] | undefined }) {
  const all = value.includes('*');
  return (
    <FieldGroup legend="Events" hint="Choose the changes to receive, or all of them (new kinds included)." errors={errors}>
      <CheckboxField label="All events" checked={all} onChange={(event) => onChange(event.target.checked ? ['*'] : [])} />
      {!all && (
        <div className="checks">
          {SUBSCRIBABLE_EVENT_TYPES.map((type) => (
            <label key={type}>
              <input type="checkbox" checked={value.includes(type)} onChange={(event) => onChange(event.target.checked ? [...value, type] : value.filter((chosen) => chosen !== type))} />
              <span className="mono">{type}</span>
            </label>
          ))}
        </div>
      )}
    </FieldGroup>
  );
}

function EditEndpoint({ endpoint }: { endpoint: Endpoint }) {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState(endpoint.url);
  const [description, setDescription] = useState(endpoint.description ?? '');
  const [events, setEvents] = useState<string[]>(endpoint.events);
  const save = useMutation({
    mutationFn: () =>
      api.webhookEndpoints.update(endpoint.id, { url: url.trim(), description: description.trim() || null, events: events as never }, { ifMatch: endpoint.version }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ENDPOINTS });
      void queryClient.invalidateQueries({ queryKey: ['webhook-endpoint', endpoint.id] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <details>
      <summary>Edit this endpoint</summary>
      <form onSubmit={submit} noValidate>
        <TextField label="URL" type="url" value={url} onChange={(event) => setUrl(event.target.value)} errors={fieldErrors(save.error, 'url')} required />
        <TextField label="Description" value={description} onChange={(event) => setDescription(event.target.value)} errors={fieldErrors(save.error, 'description')} />
        <EventChecklist value={events} onChange={setEvents} errors={fieldErrors(save.error, 'events')} />
        <ProblemAlert error={save.error} title="Not saved." />
        {save.isSuccess && <Notice>Saved.</Notice>}
        <div className="actions">
          <button type="submit" className="button primary" disabled={save.isPending}>
            Save endpoint
          </button>
        </div>
      </form>
    </details>
  );
}

function EndpointForm({ onCreated }: { onCreated: (endpoint: Endpoint) => void }) {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>(['*']);
  const [enabled, setEnabled] = useState(true);
  const create = useMutation({
    mutationFn: () => api.webhookEndpoints.create({ url: url.trim(), events: events as never, enabled, ...(description.trim() && { description: description.trim() }) }),
    onSuccess: (endpoint) => {
      onCreated(endpoint);
      setUrl('');
      setDescription('');
      setEvents(['*']);
      void queryClient.invalidateQueries({ queryKey: ENDPOINTS });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="new-endpoint-title" className="card">
      <h2 id="new-endpoint-title">Add an endpoint</h2>
      <form onSubmit={submit} noValidate>
        <TextField label="URL" type="url" placeholder="https://example.com/hooks/trellis" value={url} onChange={(event) => setUrl(event.target.value)} errors={fieldErrors(create.error, 'url')} required hint="https, reachable from the Trellis server." />
        <TextField label="Description (optional)" value={description} onChange={(event) => setDescription(event.target.value)} errors={fieldErrors(create.error, 'description')} />
        <EventChecklist value={events} onChange={setEvents} errors={fieldErrors(create.error, 'events')} />
        <CheckboxField label="Enabled" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
        <ProblemAlert error={create.error} title="The endpoint was not added." />
        <div className="actions">
          <button type="submit" className="button primary" disabled={create.isPending}>
            {create.isPending ? 'Adding…' : 'Add endpoint'}
          </button>
        </div>
      </form>
    </section>
  );
}
