/**
 * Measures each task in its own process, in short windows taken in turn.
 *
 * Why processes: in one process, the garbage a task leaves behind is collected
 * while another task is being timed, so a task that allocates much (or keeps
 * much, like an idempotency store) makes its neighbours look slow and itself
 * fast. Here every task pays for its own garbage collection.
 *
 * Why windows in turn: the machine's speed drifts (other tenants, frequency).
 * Taking many short windows, one task after another, exposes every task to the
 * same drift; each task's figure is its total operations over its total time.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** One call of the measured operation; may return a promise, which is awaited. */
export type Operation = () => unknown;

interface WindowResult {
  readonly ops: number;
  readonly ms: number;
}

const TASK_ENV = 'BENCH_TASK';

/**
 * In a worker process, prepares the task it was started for and answers the
 * driver's requests to run it for a while. Returns false in the driver process.
 */
export function serveTaskIfWorker(tasks: Readonly<Record<string, () => Operation>>): boolean {
  const name = process.env[TASK_ENV];
  if (name === undefined) return false;
  const prepare = tasks[name];
  if (prepare === undefined) throw new Error(`unknown bench task ${name}`);
  const operation = prepare();
  process.on('message', (message: { windowMs: number }) => {
    void runFor(operation, message.windowMs).then(
      (result) => process.send!(result),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
  process.send!({ ready: true });
  return true;
}

async function runFor(operation: Operation, windowMs: number): Promise<WindowResult> {
  let ops = 0;
  const start = performance.now();
  for (;;) {
    for (let index = 0; index < 100; index += 1) {
      const result = operation();
      if (result instanceof Promise) await result;
    }
    ops += 100;
    const ms = performance.now() - start;
    if (ms >= windowMs) return { ops, ms };
  }
}

/** Options of {@link measureInterleaved}. */
export interface InterleavedOptions {
  /** Windows per task. */
  readonly rounds: number;
  /** Length of one window, in ms. */
  readonly windowMs: number;
  /** Unmeasured run of each task before the first round, in ms. */
  readonly warmupMs: number;
  /** Called after each round, e.g. for progress. */
  readonly onRound?: (round: number) => void;
}

/** Runs every named task of this script in its own worker; gives each task's operations per second. */
export async function measureInterleaved(names: readonly string[], options: InterleavedOptions): Promise<Map<string, number>> {
  const workers = await Promise.all(names.map(startWorker));
  try {
    for (const worker of workers) await worker.run(options.warmupMs);
    const totals = new Map(names.map((name) => [name, { ops: 0, ms: 0 }]));
    for (let round = 0; round < options.rounds; round += 1) {
      // Rotate the order so no task always follows the same neighbour.
      for (let step = 0; step < workers.length; step += 1) {
        const worker = workers[(round + step) % workers.length]!;
        const result = await worker.run(options.windowMs);
        const total = totals.get(worker.name)!;
        total.ops += result.ops;
        total.ms += result.ms;
      }
      options.onRound?.(round + 1);
    }
    return new Map([...totals].map(([name, total]) => [name, (total.ops / total.ms) * 1000]));
  } finally {
    for (const worker of workers) worker.child.kill();
  }
}

interface Worker {
  readonly name: string;
  readonly child: ChildProcess;
  run(windowMs: number): Promise<WindowResult>;
}

function startWorker(name: string): Promise<Worker> {
  const child = fork(process.argv[1]!, [], {
    env: { ...process.env, [TASK_ENV]: name },
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`bench task ${name} exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
  return next().then(() => ({
    name,
    child,
    run: (windowMs: number) => {
      const answer = next() as Promise<WindowResult>;
      child.send({ windowMs });
      return answer;
    },
  }));
}
