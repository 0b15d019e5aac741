import type { Logger } from '../log.ts';

/** Periodic upkeep: one named task of the sweep. */
export interface SweepTask {
  name: string;
  run(): Promise<unknown>;
}

/**
 * The background sweep: every `intervalMs`, each task once, in order (expire lapsed holds,
 * forget what is kept only for a while). A failing task is logged and the others still run; a
 * sweep still running when the next is due is not doubled.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly tasks: readonly SweepTask[],
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start() {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sweeping, after the sweep in progress (if any) ends. */
  async stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One sweep (or the one already in progress). */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      for (const task of this.tasks) {
        try {
          await task.run();
        } catch (err) {
          this.log.error({ err, task: task.name }, 'a sweep task failed');
        }
      }
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
