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
 *
 * Why several processes per task: identical processes differ by a few percent
 * for the whole of their life (where their memory landed), so each task is run
 * in several and their windows are pooled.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** One call of the measured operation; may return a promise, which is awaited. */
export type Operation = () => unknown;

interface WindowResult {
  readonly ops: number;
  readonly ms: number;
}

const TASK_ENV = 'BENCH_TASK';
const GAP_MS = 30;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  /** Processes started per task; their windows are pooled. */
  readonly processesPerTask: number;
  /** Called after each round, e.g. for progress. */
  readonly onRound?: (round: number) => void;
}

/** A task's speed: over all its windows, and over its fastest three quarters. */
export interface Measurement {
  /** Total operations over total time, every window counted. */
  readonly opsPerSecond: number;
  /**
   * The same over the task's fastest three quarters of windows: leaves out the windows
   * that other tenants of the machine slowed down most. Less noisy, but it may also
   * leave out a window where the task's own major garbage collection ran.
   */
  readonly undisturbedOpsPerSecond: number;
}

/** Runs every named task of this script in its own workers; gives each task's speed. */
export async function measureInterleaved(names: readonly string[], options: InterleavedOptions): Promise<Map<string, Measurement>> {
  const workers: Worker[] = [];
  // One copy of every task at a time: preparing a task (signing thousands of deliveries) is CPU-bound.
  for (let copy = 0; copy < options.processesPerTask; copy += 1) workers.push(...(await Promise.all(names.map(startWorker))));
  try {
    for (const worker of workers) await worker.run(options.warmupMs);
    const windows = new Map<string, WindowResult[]>(names.map((name) => [name, []]));
    for (let round = 0; round < options.rounds; round += 1) {
      // A fresh order every round, so no task always follows the same neighbour.
      for (const worker of shuffled(workers)) {
        // A pause lets the previous worker's background GC threads finish before this window starts.
        await sleep(GAP_MS);
        windows.get(worker.name)!.push(await worker.run(options.windowMs));
      }
      options.onRound?.(round + 1);
    }
    return new Map([...windows].map(([name, results]) => [name, measure(results)]));
  } finally {
    for (const worker of workers) worker.child.kill();
  }
}

function measure(windows: readonly WindowResult[]): Measurement {
  const rate = (results: readonly WindowResult[]) =>
    (results.reduce((sum, result) => sum + result.ops, 0) / results.reduce((sum, result) => sum + result.ms, 0)) * 1000;
  const fastestFirst = [...windows].sort((a, b) => b.ops / b.ms - a.ops / a.ms);
  return {
    opsPerSecond: rate(windows),
    undisturbedOpsPerSecond: rate(fastestFirst.slice(0, Math.max(1, Math.ceil((windows.length * 3) / 4)))),
  };
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
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
