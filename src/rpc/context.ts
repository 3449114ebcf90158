/** What a JSON-RPC call runs with: the services, the caller, and look-ups of the records it refers to. */
import type { Actor } from '../domain/actor.js';
import type { Clock } from '../platform/clock.js';
import { DomainError } from '../domain/errors.js';
import type { Services } from '../services.js';
import type { CursorMemo } from './paging.js';
import { Related } from './related.js';

export interface RpcDeps {
  services: Services;
  /** This server's address, answered by getApiForUsername. */
  publicUrl: string;
  cursors: CursorMemo;
  clock: Clock;
}

export class RpcContext {
  private relatedRecords: Related | undefined;
  /** What this call accepted and did not keep, answered in the success's `data.warnings`. */
  readonly warnings: string[] = [];

  constructor(
    readonly deps: RpcDeps,
    private readonly caller: Actor | undefined,
  ) {}

  get services(): Services {
    return this.deps.services;
  }

  /** The key's actor; every method but discovery has one. */
  actor(): Actor {
    if (!this.caller) throw new DomainError('unauthorized');
    return this.caller;
  }

  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  /** Stubs of related records, each looked up once per call. */
  get related(): Related {
    this.relatedRecords ??= new Related(this);
    return this.relatedRecords;
  }
}
