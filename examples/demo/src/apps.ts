import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const examples = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** How to start each example, as its README says. */
export const APPS = {
  express: { cwd: examples('express'), args: ['--import', 'tsx', 'src/main.ts'] },
  koa: { cwd: examples('koa'), args: ['--import', 'tsx', 'src/main.ts'] },
  nestjs: { cwd: examples('nestjs'), args: ['dist/main.js'] },
} as const;

export type AppName = keyof typeof APPS;

/** An example app running in its own process, with the lines it prints. */
export interface RunningApp {
  readonly name: AppName;
  readonly url: string;
  /** Resolves with the first line (from now on) containing `text`, or undefined after `timeoutMs`. */
  waitForLine(text: string, timeoutMs: number): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** Starts an example on a free port (PORT=0) and waits for its "listening on" line. */
export function startApp(name: AppName, env: Record<string, string>): Promise<RunningApp> {
  const { cwd, args } = APPS[name];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env, PORT: '0', NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<{ text: string; resolve: (line: string) => void }>();
  const onLine = (line: string) => {
    lines.push(line);
    for (const waiter of waiters) {
      if (line.includes(waiter.text)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);

  const waitForLine = (text: string, timeoutMs: number) =>
    new Promise<string | undefined>((resolve) => {
      const waiter = { text, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
      const timer = setTimeout(() => (waiters.delete(waiter), resolve(undefined)), timeoutMs);
      waiters.add(waiter);
    });

  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening:\n${lines.join('\n')}`)));
    void waitForLine('listening on ', 120_000).then((line) => {
      if (!line) return reject(new Error(`${name} did not start within 60 s:\n${lines.join('\n')}`));
      child.removeAllListeners('exit');
      resolve({
        name,
        url: `${line.slice(line.indexOf('listening on ') + 13).trim()}/webhooks/crm`,
        waitForLine,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill();
          }),
      });
    });
  });
}
