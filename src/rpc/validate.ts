/**
 * The Trellis create/update schemas, checked for the JSON-RPC door as the
 * REST door's validator checks them (no coercion, unknown fields refused,
 * the same messages), so a body reaches a service in the shape it expects
 * either way.
 */
import type { TObject } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { DomainError } from '../domain/errors.js';
import { validationDetails } from '../http/error-handler.js';
import { createRequestValidator } from '../http/validation.js';

const ajv = createRequestValidator();

const compiled = new WeakMap<TObject, ValidateFunction>();

/** Throws validation_error, with each field's complaints, unless `body` fits `schema`. */
export function checkBody<T>(schema: TObject, body: unknown): T {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(body)) return body as T;
  const details = validationDetails(validate.errors ?? [], 'params');
  throw new DomainError('validation_error', Object.values(details)[0]?.[0] ?? 'The params are invalid.', details);
}
