import { fork, type ChildProcess } from 'node:child_process';

/** A Node process started from a test fixture, and the first message it sent (its URL, its pid). */
export interface FixtureProcess<M> {
  readonly child: ChildProcess;
  readonly message: M;
}

/** Forks `path` with `env` added, and resolves once it sends its first message (it is ready). */
export function startFixture<M = { url: string }>(path: string, env: Record<string, string>): Promise<FixtureProcess<M>> {
  const child = fork(path, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message: M) => resolve({ child, message }));
    child.once('exit', (code) => reject(new Error(`${path} exited before it was ready (${code})`)));
  });
}

/** Ends a fixture process with SIGTERM (its clean shutdown), unless it has exited already. */
export function stopFixture(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
