/**
 * Route schemas compile when a route first needs them, not while the server
 * starts. Compiling every route's request validators (ajv) and response
 * serializers (fast-json-stringify) up front took about 2.5 s of a 4.4 s cold
 * start. Each route's first request now pays its own compile (a few ms), once
 * per process; routes nobody calls never cost the CPU or the memory. (Compiling
 * the rest in the background after listening was tried: under load it ran for
 * many seconds beside the requests, one compile per event-loop turn.) Every
 * route's schemas are compiled by the test suite, so one that fails to compile
 * cannot ship unnoticed.
 */
import SerializerSelector from '@fastify/fast-json-stringify-compiler';

type Compiled = (...args: never[]) => unknown;

/** A stand-in for the function `compile` returns, compiling it on first call; it carries the compiled function's `errors` (ajv's) after each call. */
export function lazily<F extends Compiled>(compile: () => F): F {
  let compiled: F | undefined;
  const standIn = ((...args: never[]) => {
    const fn = (compiled ??= compile());
    const result = fn(...args);
    (standIn as { errors?: unknown }).errors = (fn as { errors?: unknown }).errors;
    return result;
  }) as F;
  return standIn;
}

/** Fastify's own serializer compiler (fast-json-stringify, the shared schemas resolved), each route's serializer compiled lazily. */
export function lazySerializers(): SerializerSelector.SerializerFactory {
  const selector = SerializerSelector();
  return (externalSchemas, options) => {
    const build = selector(externalSchemas, options);
    return (route) => lazily(() => build(route));
  };
}
