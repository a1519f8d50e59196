/**
 * What a bare SSE server renders per metric update: the same markup as the dashboard's MetricValue
 * (a formatted value and an inline SVG sparkline of the last 30 values), built with template strings.
 */
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const WIDTH = 100;
const HEIGHT = 30;

function points(values: number[]): string {
  const min = Math.min(...values);
  const range = Math.max(...values) - min;
  const y = (v: number) => (range === 0 ? HEIGHT / 2 : HEIGHT - 1 - ((v - min) / range) * (HEIGHT - 2));
  const step = values.length > 1 ? WIDTH / (values.length - 1) : 0;
  const list = values.map((v, i) => `${+(i * step).toFixed(2)},${+y(v).toFixed(2)}`);
  if (values.length === 1) list.push(`${WIDTH},${+y(values[0]!).toFixed(2)}`);
  return list.join(' ');
}

export class NaiveMetricSeries {
  private readonly values: number[] = [];
  constructor(private readonly keep = 30) {}

  push(value: number): void {
    this.values.push(value);
    if (this.values.length > this.keep) this.values.shift();
  }

  html(): string {
    const values = this.values;
    const label = `${values.length} recent value${values.length === 1 ? '' : 's'}, from ${integer.format(Math.min(...values))} to ${integer.format(Math.max(...values))}`;
    return (
      `<span class="metric">${integer.format(values.at(-1)!)}</span>` +
      `<svg class="sparkline" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${label}">` +
      `<polyline points="${points(values)}" vector-effect="non-scaling-stroke"></polyline></svg>`
    );
  }
}
