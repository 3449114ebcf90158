/** Runs the real server entry point as a child process, as `npm start` would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
}

export function spawnServer(env: Record<string, string | undefined>): { child: ChildProcess; output: () => string; exited: Promise<number | string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    // Unset variables are left out, not passed as the string "undefined".
    env: Object.fromEntries(Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, output: () => text, exited };
}

/** Starts the server and waits for its banner; PORT=0 picks a free port. Generous: tsx compiles the
 * whole server on start, which takes over 30 s on a busy 2-core machine. */
export async function startServerProcess(env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<ServerProcess> {
  const started = spawnServer({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /bound to (http:\/\/[\d.]+:\d+)/.exec(started.output());
    if (match) return { ...started, url: match[1] as string };
    const code = await Promise.race([started.exited, new Promise((resolve) => setTimeout(() => resolve(undefined), 50))]);
    if (code !== undefined) throw new Error(`server exited with ${String(code)}:\n${started.output()}`);
  }
  started.child.kill('SIGKILL');
  throw new Error(`server did not start:\n${started.output()}`);
}
