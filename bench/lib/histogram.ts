/** Buckets grow by 0.5%: percentiles are exact to within 0.5%, and histograms merge across processes. */
const GROWTH = Math.log(1.005);
const FLOOR_MS = 0.001;

export interface HistogramData {
  buckets: Array<[number, number]>;
  count: number;
  max: number;
  sum: number;
}

/** Latencies in milliseconds, recorded in load processes and merged in the runner. */
export class Histogram {
  private readonly buckets = new Map<number, number>();
  count = 0;
  max = 0;
  sum = 0;

  record(ms: number): void {
    const value = Math.max(ms, FLOOR_MS);
    const index = Math.round(Math.log(value / FLOOR_MS) / GROWTH);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  merge(data: HistogramData): void {
    for (const [index, n] of data.buckets) this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
    this.count += data.count;
    this.sum += data.sum;
    if (data.max > this.max) this.max = data.max;
  }

  /** The value at quantile `q` (0–1); NaN when nothing was recorded. */
  percentile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (rank >= this.count) return this.max;
    let seen = 0;
    for (const index of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(index)!;
      if (seen >= rank) return Math.min(FLOOR_MS * Math.exp(index * GROWTH), this.max);
    }
    return this.max;
  }

  toJSON(): HistogramData {
    return { buckets: [...this.buckets], count: this.count, max: this.max, sum: this.sum };
  }
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes on one machine. */
export const now = (): number => performance.timeOrigin + performance.now();
