/**
 * How commands speak: `--json` gives one JSON document on stdout for scripts;
 * otherwise short human lines. Progress goes to stderr: a bar with rate and
 * time left on a terminal, plain lines every few seconds otherwise.
 */
import cliProgress from 'cli-progress';

export interface Output {
  json: boolean;
  /** The result: JSON, or the human text. */
  result(value: unknown, human: () => string): void;
  /** A note for people (stderr), never mixed into --json output. */
  note(line: string): void;
}

export function output(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    note(line) {
      process.stderr.write(`${line}\n`);
    },
  };
}

/** Rows of objects as aligned columns. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const text = (v: unknown) => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => text(r[c]))))].join('\n');
}

export interface Progress {
  update(done: number, detail?: string): void;
  setTotal(total: number): void;
  stop(): void;
}

/** A progress display for `label`, counted in `unit`s (rows, MB). */
export function progress(label: string, unit: string, total: number | undefined, quiet: boolean): Progress {
  if (quiet) return { update: () => {}, setTotal: () => {}, stop: () => {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | {eta_formatted} left {detail}`,
        stream: process.stderr,
        etaBuffer: 20,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(total ?? 0, 0, { rate: '0', detail: '' });
    return {
      update: (done, detail = '') => bar.update(done, { rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)).toLocaleString('en-US'), detail }),
      setTotal: (t) => bar.setTotal(t),
      stop: () => bar.stop(),
    };
  }
  // Not a terminal: a plain line at most every 2 seconds.
  const started = Date.now();
  let last = 0;
  let expected = total;
  return {
    update(done, detail = '') {
      const now = Date.now();
      if (now - last < 2000) return;
      last = now;
      const rate = done / Math.max(0.001, (now - started) / 1000);
      const left = expected !== undefined && rate > 0 ? `, about ${Math.ceil((expected - done) / rate)} s left` : '';
      process.stderr.write(`${label}: ${done.toLocaleString('en-US')}${expected !== undefined ? ` of ${expected.toLocaleString('en-US')}` : ''} ${unit} (${Math.round(rate).toLocaleString('en-US')} ${unit}/s${left}) ${detail}\n`);
    },
    setTotal: (t) => {
      expected = t;
    },
    stop: () => {},
  };
}

/** Runs `work` with an AbortSignal that Ctrl-C fires; the first Ctrl-C asks nicely, a second one exits at once. */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nStopping… (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
