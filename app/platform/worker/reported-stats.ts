import { Stats } from '../../realtime/stats.ts';

/** The counters and gauges of `Stats`, by name. */
export type StatName = keyof Stats;
export type StatDeltas = Partial<Record<StatName, number>>;

export const STAT_NAMES = Object.keys(new Stats()) as StatName[];
/** The stats that go up and down (the rest only go up). */
const GAUGES: ReadonlySet<StatName> = new Set(['openSockets', 'openStreams']);

/** How long a counter's change waits for more before it is sent: one report per object or request per interval, however busy. */
export const COUNTER_DELAY_MS = 500;

/**
 * `Stats` for one Worker request or one Durable Object: reads are its own values, and every change
 * is also sent, as a difference, to the one object that adds them up for /metrics (`report`).
 * A gauge's change goes out at once (with whatever counters wait); counters alone wait up to
 * `counterDelayMs`, so a busy stream or room sends a few reports a second, not one per fragment.
 */
export class ReportedStats {
  readonly stats: Stats;
  /** While true, changes are kept here only: a woken object counting sockets it reported before it hibernated. */
  quiet = false;
  /** Gauges already given back by `end`: their later changes are not reported. */
  private ended = false;
  private pending: StatDeltas = {};
  private sendQueued = false;
  /** The counters' timer, and what resolves the work `keep` was given for it. */
  private delayed: { timer: ReturnType<typeof setTimeout>; done: () => void } | undefined;

  /**
   * `keep` is given a promise that settles once delayed counters have been sent (a Worker request's
   * `waitUntil`, so the request is not torn down with them unsent).
   */
  constructor(
    private readonly report: (deltas: StatDeltas) => Promise<void>,
    initial: Partial<Stats> = {},
    private readonly keep: (work: Promise<unknown>) => void = () => {},
    private readonly counterDelayMs = COUNTER_DELAY_MS,
  ) {
    const values = { ...new Stats(), ...initial };
    const stats = new Stats();
    for (const name of STAT_NAMES) {
      Object.defineProperty(stats, name, {
        enumerable: true,
        get: () => values[name],
        set: (value: number) => {
          const delta = value - values[name];
          values[name] = value;
          if (delta !== 0 && !this.quiet && !(this.ended && GAUGES.has(name))) this.add(name, delta);
        },
      });
    }
    this.stats = stats;
  }

  /**
   * The request is over (its client went away): its gauges go back to zero in the sums now, with
   * what else is pending. workerd may end a request whose client left before its own clean-up runs,
   * so that clean-up's `openStreams--` is not waited for.
   */
  end(): void {
    if (this.ended) return;
    for (const name of GAUGES) {
      const open = this.stats[name];
      if (open !== 0) this.pending[name] = (this.pending[name] ?? 0) - open;
    }
    this.ended = true;
    this.send();
  }

  private add(name: StatName, delta: number): void {
    this.pending[name] = (this.pending[name] ?? 0) + delta;
    if (GAUGES.has(name)) {
      // Changes of the same turn go in one report, sent at once: sums do not care about order, and a
      // request whose client has gone may not live long enough to wait behind an earlier report.
      if (!this.sendQueued) {
        this.sendQueued = true;
        queueMicrotask(() => this.send());
      }
      return;
    }
    if (this.sendQueued || this.delayed) return;
    let done!: () => void;
    this.keep(new Promise<void>((resolve) => (done = resolve)));
    this.delayed = { timer: setTimeout(() => this.send(), this.counterDelayMs), done };
  }

  private send(): void {
    this.sendQueued = false;
    const delayed = this.delayed;
    this.delayed = undefined;
    if (delayed) clearTimeout(delayed.timer);
    if (Object.keys(this.pending).length > 0) {
      const deltas = this.pending;
      this.pending = {};
      // A request that is being torn down can throw at once instead of rejecting.
      new Promise<void>((resolve) => resolve(this.report(deltas)))
        // Lost with a request cut short or an object gone: /metrics is off by these until the sums are reset.
        .catch((error) => console.warn(`a /metrics report was lost (${error instanceof Error ? error.message : String(error)})`));
    }
    delayed?.done();
  }
}
