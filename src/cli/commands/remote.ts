/** Against a server, with a key, through the SDK: `trellis api`, `trellis import`, `trellis export`. */
import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { OPERATIONS, type OperationId } from '@trellis/sdk';
import { client, type RemoteOptions } from '../client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { interruptible, progress, type Output } from '../output.js';
import { importCommand } from './import.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function remoteCommands(program: Command, out: () => Output): void {
  const remote = (command: Command) => command.option('--url <url>', 'the server (default TRELLIS_URL, else http://localhost:3000)').option('--api-key <key>', 'the key (default TRELLIS_API_KEY)');

  remote(program.command('api <method> <path>'))
    .description('Call any API operation and print its JSON answer')
    .option('-q, --query <key=value>', 'a query parameter (repeatable)', collect)
    .option('-d, --data <json>', 'the JSON body (@file reads a file, - reads stdin)')
    .addHelpText('after', '\nExamples:\n  trellis api GET /v1/contacts -q email=ada@example.com\n  trellis api POST /v1/contacts -d \'{"first_name":"Ada"}\'\n  trellis api PATCH /v1/deals/deal_… -d @patch.json')
    .action(async (method: string, path: string, options: RemoteOptions & { query?: string[]; data?: string }) => {
      const { operation, params } = findOperation(method, path);
      const query = Object.fromEntries((options.query ?? []).map((pair) => {
        const at = pair.indexOf('=');
        if (at < 1) throw new CliError(EXIT.usage, `--query takes key=value (got "${pair}").`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }));
      const body = options.data === undefined ? undefined : parseBody(options.data);
      const answer = await client(options).call(operation, { path: params, query, ...(body !== undefined && { body }) });
      out().result(answer, () => (typeof answer === 'string' ? answer : JSON.stringify(answer, null, 2)));
    });

  importCommand(remote, program, out);

  remote(program.command('export <resource>'))
    .description('Stream every contact, company, lead, deal, activity or task the filters select, as CSV or JSON Lines')
    .option('-f, --format <format>', 'csv or jsonl', 'csv')
    .option('-o, --output <file>', 'write to this file (default: stdout)')
    .option('--filter <key=value>', 'a list filter, as GET /v1/<resource> takes it (repeatable), e.g. status=active or "updated_at[gte]=2026-01-01T00:00:00Z"', collect)
    .addHelpText('after', '\nExamples:\n  trellis export contacts -o contacts.csv\n  trellis export deals --format jsonl --filter status=won > won.jsonl')
    .action(async (resource: string, options: RemoteOptions & { format: string; output?: string; filter?: string[] }) => {
      const api = client(options);
      const filters = Object.fromEntries((options.filter ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
      const listOperation = `${resource}.list` as OperationId;
      const total = listOperation in OPERATIONS ? ((await api.call(listOperation, { query: { ...filters, limit: 1 } })) as { meta?: { total?: number } }).meta?.total : undefined;
      const bar = progress(`Exporting ${resource}`, 'rows', total, out().json || !options.output);
      let rows = 0;
      const counter = new TransformCounter((n) => {
        rows += n;
        bar.update(rows);
      });
      const stopped = await interruptible(async (signal) => {
        try {
          const stream = await api.exports.get(resource as 'contacts', { format: options.format as 'csv', ...filters }, { signal });
          await pipeline(Readable.fromWeb(stream as never), counter, options.output ? fs.createWriteStream(options.output) : process.stdout, { signal });
          return false;
        } catch (error) {
          if (signal.aborted) return true;
          throw error;
        }
      });
      bar.stop();
      const lines = Math.max(0, rows - (options.format === 'csv' ? 1 : 0));
      if (stopped) throw new CliError(EXIT.interrupted, `Stopped after ${lines.toLocaleString('en-US')} rows${options.output ? `; ${options.output} is incomplete` : ''}.`);
      if (options.output) out().result({ resource, rows: lines, file: options.output }, () => `Exported ${lines.toLocaleString('en-US')} ${resource} to ${options.output}.`);
    });
}

/** Counts line ends as bytes pass (rows of CSV with quoted line breaks count a little high; the bar is a guide). */
class TransformCounter extends Transform {
  constructor(private readonly onLines: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    let n = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
    this.onLines(n);
    done(null, chunk);
  }
}

/** The operation whose method and path template match, and the path's parameters. */
function findOperation(method: string, path: string): { operation: OperationId; params: Record<string, string> } {
  const [pathname = ''] = path.split('?');
  const wanted = method.toUpperCase();
  for (const [id, op] of Object.entries(OPERATIONS)) {
    if (op.method !== wanted) continue;
    const names: string[] = [];
    const pattern = new RegExp(`^${op.path.replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'))}/?$`);
    const match = pattern.exec(pathname);
    if (match) return { operation: id as OperationId, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1] ?? '')])) };
  }
  throw new CliError(EXIT.usage, `No API operation is ${wanted} ${pathname}. See GET /v1/openapi.json (or /docs) for the operations.`);
}

function parseBody(data: string): unknown {
  const text = data === '-' ? fs.readFileSync(0, 'utf8') : data.startsWith('@') ? fs.readFileSync(data.slice(1), 'utf8') : data;
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(EXIT.usage, '--data must be JSON.');
  }
}
