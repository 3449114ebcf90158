/** Messages: a problem from the API (with its request id), a success notice, a loading line. */
import type { ReactNode } from 'react';
import { problemOf, type Problem } from '../api/problems';

export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  if (error === null || error === undefined) return null;
  const problem: Problem = problemOf(error);
  const fieldCount = Object.keys(problem.fields).length;
  return (
    <div className={`alert alert-${problem.kind === 'invalid' ? 'warning' : 'error'}`} role="alert">
      {title && <strong>{title} </strong>}
      {problem.message}
      {fieldCount > 0 && <> {fieldCount === 1 ? 'See the field marked below.' : 'See the fields marked below.'}</>}
      {problem.requestId && <span className="request-id"> (request {problem.requestId})</span>}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-success" role="status">
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** The API's messages for one field of a failed call. */
export function fieldErrors(error: unknown, field: string): string[] | undefined {
  if (error === null || error === undefined) return undefined;
  return problemOf(error).fields[field];
}
