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

/** Trellis as production runs it (`npm start`): the built server, no TypeScript loader. */
export const TRELLIS_SERVER = 'dist/src/server.js';

/**
 * Starts `node <script>` (a built `.js`) or `node --import tsx <script>` (a `.ts`) with `env`, its stdout and stderr going to
 * `logFile` (a file, not a pipe nobody reads, which would stall the logger), and
 * waits until `readyPath` answers 200.
 */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  // The port is free when asked for, but another process (a test server of a CI run on the same machine)
  // may take it before the child listens: the child then fails to listen, and a fresh port is tried.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, await freePort());
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= 3) throw error;
    }
  }
}

interface StartOptions {
  name: string;
  script: string;
  env: Record<string, string>;
  logFile: string;
  readyPath: string;
  nodeArgs?: string[];
  /** How often to ask `readyPath` while the server starts (100 ms; the cold-start figure asks every 5 ms). */
  pollMs?: number;
}

class PortTaken extends Error {}

/**
 * Whether process `pid` listens on TCP `port`, from /proc (Linux): its LISTEN socket's inode among
 * the process's open files. Undefined where /proc cannot tell (another OS).
 */
function listensOn(pid: number, port: number): boolean | undefined {
  try {
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!fs.existsSync(table)) continue;
      for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is field 9.
        if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A' && fields[9]) inodes.add(fields[9]);
      }
    }
    if (inodes.size === 0) return false;
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' });
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && inodes.has(inode)) return true;
    }
    return false;
  } catch {
    return fs.existsSync('/proc/self/fd') ? false : undefined;
  }
}

async function startOnce(options: StartOptions, port: number): Promise<ServerProcess> {
  const log = fs.openSync(options.logFile, 'a');
  const loader = options.script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, ...(options.nodeArgs ?? []), options.script], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  children.add(child);
  child.on('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = tail(options.logFile);
      if (log.includes('EADDRINUSE')) throw new PortTaken(`port ${port} was taken`);
      throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}) before it was ready. Log:\n${log}`);
    }
    try {
      const response = await fetch(`${url}${options.readyPath}`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      // Ready only if it is our child answering, not another server that took the port meanwhile.
      if (response.ok && listensOn(child.pid ?? 0, port) !== false) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${options.name} did not become ready within 180 s. Log:\n${tail(options.logFile)}`);
    await sleep(options.pollMs ?? 100);
  }

  return {
    name: options.name,
    url,
    child,
    logFile: options.logFile,
    stop: () => stopChild(child),
  };
}

/** A process's resident memory now and at its peak, in MB, from /proc (Linux); undefined elsewhere. */
export function memoryOf(pid: number | undefined): { rssMb: number; peakMb: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
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
