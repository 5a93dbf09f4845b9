/**
 * Measures each task in its own processes, in short windows taken in turn, and
 * compares tasks window by window.
 *
 * Why processes: in one process, the garbage a task leaves behind is collected
 * while another task is being timed, so a task that allocates much (or keeps
 * much, like an idempotency store) makes its neighbours look slow and itself
 * fast. Here every task pays for its own garbage collection.
 *
 * Why compare round by round: these machines' speed swings by several percent
 * from one second to the next (other tenants of the host). In every round each
 * task runs one short window, in a fresh order, so all windows of a round see
 * nearly the same machine; a task's ratio to another is the median of its
 * per-round ratios, which such swings barely move. Pooling every window
 * instead (total operations over total time) lets a slow second that fell on
 * one task's windows show up as a difference between tasks.
 *
 * Why several processes per task: identical processes differ by a few percent
 * for the whole of their life (where their memory landed), so rounds take each
 * task's processes in turn.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { median } from '../../../../bench/support/median.js';

/** One call of the measured operation; may return a promise, which is awaited. */
export type Operation = () => unknown;

/** Operations done in one window, and how long it took in ms. */
export interface WindowResult {
  readonly ops: number;
  readonly ms: number;
}

const TASK_ENV = 'BENCH_TASK';
const GAP_MS = 10;
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
  /** Rounds: in each, every task runs one window. */
  readonly rounds: number;
  /** Length of one window, in ms. */
  readonly windowMs: number;
  /** Unmeasured run of each task's processes before the first round, in ms. */
  readonly warmupMs: number;
  /** Processes started per task; round r uses process r modulo this. */
  readonly processesPerTask: number;
  /** Called after each round, e.g. for progress. */
  readonly onRound?: (round: number) => void;
}

/** A task's windows, one per round, in round order. */
export class Measurement {
  constructor(readonly windows: readonly WindowResult[]) {}

  /** Total operations over total time, every window pooled. */
  get opsPerSecond(): number {
    return (this.windows.reduce((sum, window) => sum + window.ops, 0) / this.windows.reduce((sum, window) => sum + window.ms, 0)) * 1000;
  }

  /** Time per operation against `baseline`'s: the median over rounds of the two windows' ratio. */
  timeRatioTo(baseline: Measurement): number {
    const ratios = this.windows.map((window, round) => {
      const base = baseline.windows[round]!;
      return window.ms / window.ops / (base.ms / base.ops);
    });
    return median(ratios);
  }

  /** The same, pooling every window of each task (more exposed to the machine's swings). */
  pooledTimeRatioTo(baseline: Measurement): number {
    return baseline.opsPerSecond / this.opsPerSecond;
  }
}

/** Runs every named task of this script in its own workers; gives each task's windows. */
export async function measureInterleaved(names: readonly string[], options: InterleavedOptions): Promise<Map<string, Measurement>> {
  const copies: Worker[][] = [];
  // One copy of every task at a time: preparing a task (signing thousands of deliveries) is CPU-bound.
  for (let copy = 0; copy < options.processesPerTask; copy += 1) copies.push(await Promise.all(names.map(startWorker)));
  try {
    for (const worker of copies.flat()) await worker.run(options.warmupMs);
    const windows = new Map<string, WindowResult[]>(names.map((name) => [name, []]));
    for (let round = 0; round < options.rounds; round += 1) {
      // A fresh order every round, so no task always follows the same neighbour.
      for (const worker of shuffled(copies[round % copies.length]!)) {
        // A pause lets the previous worker's background GC threads finish before this window starts.
        await sleep(GAP_MS);
        windows.get(worker.name)!.push(await worker.run(options.windowMs));
      }
      options.onRound?.(round + 1);
    }
    return new Map([...windows].map(([name, results]) => [name, new Measurement(results)]));
  } finally {
    for (const worker of copies.flat()) worker.child.kill();
  }
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
