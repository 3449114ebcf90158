/**
 * Baseline (a): bare Fastify answering every benchmarked route with a small
 * constant JSON. No auth, no database, no logging: the HTTP floor on this machine.
 * Started by bench/run.ts as a child process (PORT, HOST).
 */
import Fastify from 'fastify';

const CONSTANT = { success: true, data: { id: 'con_01JD3Z6QK8N8W4W2S1R9B7X5C3', first_name: 'Ada', last_name: 'Lovelace' } };

const app = Fastify({ logger: false });
app.get('/readyz', async () => ({ status: 'ready' }));
app.get('/v1/contacts', async () => CONSTANT);
app.get('/v1/contacts/:id', async () => CONSTANT);
app.post('/v1/contacts', async (_request, reply) => {
  reply.status(201);
  return CONSTANT;
});

app.get('/v1/deals', async () => CONSTANT);
app.post('/v1/deals', async (_request, reply) => {
  reply.status(201);
  return CONSTANT;
});
app.post('/v1/deals/:id/move', async () => CONSTANT);

const stop = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
