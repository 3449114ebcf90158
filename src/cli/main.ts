/**
 * The `trellis` command: the server, operator tasks on the database, and
 * calls to a server with a key (through the SDK). docs/cli.md.
 */
import { Command, CommanderError } from 'commander';
import { DomainError } from '../domain/errors.js';
import { fromSdkError } from './client.js';
import { backupCommands } from './commands/backup.js';
import { mcpCommand } from './commands/mcp.js';
import { operatorCommands } from './commands/operator.js';
import { remoteCommands } from './commands/remote.js';
import { serverCommands } from './commands/server.js';
import { CliError, EXIT } from './exit-codes.js';
import { output } from './output.js';

const program = new Command('trellis')
  .description('Trellis, the self-hosted sales CRM: run the server, administer it, import and export, call the API.')
  .option('--json', 'print results as JSON (for scripts)')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
program.configureOutput({ writeErr: (text) => process.stderr.write(text) });
const out = () => output(Boolean(program.opts<{ json?: boolean }>().json));

serverCommands(program, out);
operatorCommands(program, out);
remoteCommands(program, out);
backupCommands(program, out);
mcpCommand(program);
program.addHelpText('after', '\nExit statuses: 0 ok, 1 failure, 2 usage, 3 refused, 4 server unavailable, 5 some rows refused, 6 doctor found a problem, 78 bad configuration, 130 interrupted. See docs/cli.md.');

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error);
}

function report(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  const cliError = error instanceof CliError ? error : fromSdkError(error);
  if (cliError) {
    process.stderr.write(`${cliError.message}\n`);
    return cliError.exitCode;
  }
  if (error instanceof DomainError) {
    process.stderr.write(`${error.code}: ${error.message}${error.details ? `\n${JSON.stringify(error.details, null, 2)}` : ''}\n`);
    return error.status >= 500 ? EXIT.failure : EXIT.refused;
  }
  process.stderr.write(`trellis: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.failure;
}
