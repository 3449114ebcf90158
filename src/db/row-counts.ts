/**
 * LIMIT and OFFSET are written into the SQL as numbers, never bound as parameters.
 *
 * SQLite (3.47 and later, built with STAT4 as better-sqlite3 is) plans with the value
 * bound to a LIMIT, so binding one marks the statement expired: it is prepared again
 * on every run. That cost 13 µs of a 15 µs read by primary key and 35 µs of a
 * contact's look-up by email, at 1,000,000 contacts. A page size is one of a few
 * numbers, so its texts stay few; PostgreSQL gets the same texts (one set of queries).
 */
import {
  LimitNode,
  OffsetNode,
  OperationNodeTransformer,
  ValueNode,
  sql,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RawBuilder,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

function checked(count: number): number {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`a row count must be a whole number of 0 or more (got ${String(count)})`);
  return count;
}

/** A row count for a LIMIT or OFFSET in a raw `sql` template. */
export function rowCount(count: number): RawBuilder<number> {
  return sql.lit(checked(count));
}

/** The number a LIMIT or OFFSET node binds, as an immediate value; undefined for anything else (an expression, say). */
function inlined(node: OperationNode): ValueNode | undefined {
  if (!ValueNode.is(node) || node.immediate) return undefined;
  const { value } = node;
  if (typeof value === 'number') return ValueNode.createImmediate(checked(value));
  if (typeof value === 'bigint') return ValueNode.createImmediate(BigInt(checked(Number(value))));
  return undefined;
}

class RowCountInliner extends OperationNodeTransformer {
  protected override transformLimit(node: LimitNode): LimitNode {
    const value = inlined(node.limit);
    return value ? LimitNode.create(value) : super.transformLimit(node);
  }

  protected override transformOffset(node: OffsetNode): OffsetNode {
    const value = inlined(node.offset);
    return value ? OffsetNode.create(value) : super.transformOffset(node);
  }
}

/**
 * Writes the query builder's `.limit(n)` and `.offset(n)` into the SQL (see above). Only
 * selects are walked: a write's tree is larger, and its rare LIMIT may stay bound.
 */
export class InlineRowCounts implements KyselyPlugin {
  readonly #transformer = new RowCountInliner();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node.kind === 'SelectQueryNode' ? this.#transformer.transformNode(args.node) : args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
