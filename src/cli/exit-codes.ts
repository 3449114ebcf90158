/** The `trellis` command's exit statuses (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** Something unexpected; the message says what. */
  failure: 1,
  /** The command line is wrong (unknown command, missing argument, bad option). */
  usage: 2,
  /** The server (or the database) refused: a 4xx answer, a record not found, a duplicate. */
  refused: 3,
  /** The server could not be reached, timed out, or failed (5xx). */
  unavailable: 4,
  /** The import ran, but some rows were refused (see the error report). */
  rowsRejected: 5,
  /** `trellis doctor` found a problem. */
  unhealthy: 6,
  /** The configuration (environment) is invalid. */
  config: 78,
  /** Stopped by Ctrl-C (SIGINT). */
  interrupted: 130,
} as const;

/** An error that ends the command with this status and message (no stack). */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
