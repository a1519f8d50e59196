/**
 * What a bare SSE server renders per metric update: the same markup as the dashboard's MetricValue
 * (components/Dashboard.tsx: a formatted value, an inline SVG sparkline of the last 30 values with its
 * baseline, the scale in words and when the newest value was recorded), built with template strings, so both sides send the same bytes.
 */
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const WIDTH = 100;
const HEIGHT = 30;

/** Small whole numbers step from value to value (as the app's isStepSeries). */
function isStepSeries(values: number[]): boolean {
  return values.length > 0 && values.every(Number.isInteger) && Math.max(...values) - Math.min(...values) <= 10;
}

/** The vertical range drawn: the series' own, and from 0 for small whole numbers. */
function scale(values: number[]): { low: number; high: number } {
  const low = Math.min(...values);
  const high = Math.max(...values);
  if (isStepSeries(values) && low >= 0) return { low: 0, high: Math.max(high, 1) };
  return { low, high };
}

function points(values: number[]): string {
  const { low, high } = scale(values);
  const range = high - low;
  const y = (v: number) => +(range === 0 ? HEIGHT / 2 : HEIGHT - 1 - ((v - low) / range) * (HEIGHT - 2)).toFixed(2);
  const step = values.length > 1 ? WIDTH / (values.length - 1) : 0;
  const x = (i: number) => +(i * step).toFixed(2);
  if (values.length === 1) return `0,${y(values[0]!)} ${WIDTH},${y(values[0]!)}`;
  const stepped = isStepSeries(values);
  const list: string[] = [];
  values.forEach((v, i) => {
    if (stepped && i > 0) list.push(`${x(i)},${y(values[i - 1]!)}`);
    list.push(`${x(i)},${y(v)}`);
  });
  return list.join(' ');
}

const updated = (iso: string) => `<p class="updated">Updated <time datetime="${iso}">${iso.slice(11, 16)} UTC</time></p>`;

export class NaiveMetricSeries {
  private readonly values: number[] = [];
  /** When the newest value was recorded (ms since the epoch), for the "Updated" line; none: no line. */
  private updatedAt: number | undefined;
  constructor(private readonly keep = 30) {}

  /** `at`: when the value was recorded, as the app stores it with each pushed value. */
  push(value: number, at?: number): void {
    this.values.push(value);
    if (this.values.length > this.keep) this.values.shift();
    this.updatedAt = at;
  }

  html(): string {
    const values = this.values;
    const { low, high } = scale(values);
    const label = `${values.length} recent value${values.length === 1 ? '' : 's'}, from ${integer.format(Math.min(...values))} to ${integer.format(Math.max(...values))}`;
    return (
      `<span class="metric">${integer.format(values.at(-1)!)}</span>` +
      `<svg class="sparkline" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${label}">` +
      `<polyline points="${points(values)}" vector-effect="non-scaling-stroke"></polyline>` +
      `<line class="baseline" x1="0" y1="${HEIGHT - 1}" x2="${WIDTH}" y2="${HEIGHT - 1}" vector-effect="non-scaling-stroke"></line></svg>` +
      `<div class="spark-scale" aria-hidden="true"><span>${integer.format(high)}</span><span>${integer.format(low)}</span></div>` +
      (this.updatedAt ? updated(new Date(this.updatedAt).toISOString()) : '')
    );
  }
}
