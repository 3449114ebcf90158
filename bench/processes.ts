/**
 * The servers under test run as child processes of their own, so the load
 * generator (autocannon, in this process) does not share an event loop with them.
 * Every child started here is killed when this process ends, however it ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
const cleanups: (() => void)[] = [];

/** Runs on exit, error or interrupt: kills the children, then the registered cleanups (temp dir). */
export function cleanupNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  while (cleanups.length > 0) {
    try {
      cleanups.pop()?.();
    } catch {
      // best effort
    }
  }
}

export function onCleanup(fn: () => void): void {
  cleanups.push(fn);
}

let handlersInstalled = false;
export function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping the servers and removing the temporary files\n`);
      cleanupNow();
      process.exit(130);
    });
  }
}

/** A port nobody listens on right now (asked of the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node --import tsx <script>` with `env`, its stdout and stderr going to
 * `logFile` (a file, not a pipe nobody reads, which would stall the logger), and
 * waits until `readyPath` answers 200.
 */
export async function startServer(options: { name: string; script: string; env: Record<string, string>; logFile: string; readyPath: string }): Promise<ServerProcess> {
  const port = await freePort();
  const log = fs.openSync(options.logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', options.script], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  children.add(child);
  child.on('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}) before it was ready. Log:\n${tail(options.logFile)}`);
    }
    try {
      const response = await fetch(`${url}${options.readyPath}`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${options.name} did not become ready within 60 s. Log:\n${tail(options.logFile)}`);
    await sleep(100);
  }

  return {
    name: options.name,
    url,
    child,
    logFile: options.logFile,
    stop: () => stopChild(child),
  };
}

/** SIGTERM (a graceful shutdown), SIGKILL after 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
