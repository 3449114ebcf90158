/**
 * Where the request log goes: standard output through a buffered, asynchronous
 * pino destination, so writing the one log line per request never blocks a
 * request on the terminal or the pipe. Flushed at least every 100 ms, when the
 * app closes, and when the process exits: a crash can lose at most the last
 * fraction of a second of log lines, never a write (docs/configuration.md).
 */
import pino from 'pino';

/** Lines wait until this many bytes are buffered, or the flush timer fires. */
const BUFFER_BYTES = 8 * 1024;
export const LOG_FLUSH_MS = 100;

type Destination = ReturnType<typeof pino.destination>;
const open = new Set<Destination>();
let exitHook = false;

export interface LogDestination {
  stream: Destination;
  /** Writes what is buffered, synchronously, and stops the timer. */
  close(): void;
}

export function bufferedStdout(): LogDestination {
  const stream = pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES });
  const timer = setInterval(() => {
    try {
      stream.flush();
    } catch {
      // Not open yet, or a write still in flight: the next tick flushes.
    }
  }, LOG_FLUSH_MS);
  timer.unref();
  open.add(stream);
  if (!exitHook) {
    exitHook = true;
    // process.exit() skips pending I/O: write what is left first.
    process.on('exit', () => {
      for (const s of open) flushNow(s);
    });
  }
  return {
    stream,
    close: () => {
      clearInterval(timer);
      flushNow(stream);
      open.delete(stream);
    },
  };
}

function flushNow(stream: Destination): void {
  try {
    stream.flushSync();
  } catch {
    // Not ready yet (no file descriptor), or stdout closed: nothing more can be written.
  }
}
