import type { Platform } from '../ports/platform.ts';
import type { MetricPoint } from '../ports/store.ts';
import { MetricCards, MetricValue, type MetricView } from '../../components/Dashboard.tsx';
import { activeRooms, ROOMS_TOPIC } from './room-list.tsx';
import { onlineUserIds } from './online.ts';
import { SerialQueue } from './serial.ts';
import { hubSource, type TopicSource } from './sse-sources.ts';
import { sseFragment } from './sse-fragment.tsx';

/** All cards (a `dashboard` event) and one metric's value (an event named after the metric). */
const cardsUpdate = (views: MetricView[]) => sseFragment('dashboard', (htmx) => <MetricCards metrics={views} htmx={htmx} />);
const valueUpdate = (view: MetricView) => sseFragment(view.name, () => <MetricValue metric={view} />);

export const DASHBOARD_TOPIC = 'dashboard';
/** Presence topic of open SSE streams: with the rooms' presence it tells who is connected anywhere. */
export const ONLINE_TOPIC = 'online';

const BUILT_IN: ReadonlyArray<{ name: string; label: string }> = [
  { name: 'active-users', label: 'Active users' },
  { name: 'messages-today', label: 'Messages today (UTC)' },
  { name: 'rooms-active', label: 'Active rooms' },
];
const DAY_CHECK_MS = 60_000;


/** One value pushed through the API. */
export interface MetricInput {
  name: string;
  value: number;
  /** Omitted: the metric keeps its label (or shows its name). */
  label?: string;
  /** Omitted: the metric keeps its format (integer for a new one). */
  format?: MetricPoint['format'];
}

const startOfUtcDay = (now: number) => now - (now % 86_400_000);

/** What the board uses of the platform. */
export type BoardPlatform = Pick<Platform, 'config' | 'store' | 'hub' | 'presence' | 'membership' | 'metrics' | 'closing'>;

/** The dashboard as the routes use it; on Workers it is a proxy to the board in the `dashboard` object. */
export type Board = Pick<MetricBoard, 'touch' | 'record' | 'drain' | 'views' | 'source'>;

/**
 * The dashboard: built-in metrics computed from the live system and metrics pushed through the
 * API (stored, then published). Keeps the recent values of each metric in memory for sparklines.
 */
export class MetricBoard {
  private topicSource: TopicSource | undefined;
  private readonly queue = new SerialQueue();
  private readonly builtIn = new Map<string, number[]>();
  /** When each built-in series last changed, for the card's "Updated" line. */
  private readonly builtInAt = new Map<string, number>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly dayTimer: ReturnType<typeof setInterval>;

  constructor(private readonly platform: BoardPlatform) {
    const unsubscribe = platform.hub.subscribe(ROOMS_TOPIC, () => this.touch());
    this.dayTimer = setInterval(() => this.touch(), DAY_CHECK_MS);
    (this.dayTimer as { unref?: () => void }).unref?.();
    platform.closing.addEventListener('abort', () => {
      unsubscribe();
      clearInterval(this.dayTimer);
      if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    });
  }

  /** Something the built-in metrics count has changed: recompute them soon, once per burst. */
  touch(): void {
    if (this.refreshTimer || this.platform.closing.aborted) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh().catch((error) => console.error('dashboard refresh failed', error));
    }, this.platform.config.limits.dashboardRefreshMs);
  }

  /** Recomputes the built-in metrics and publishes the ones that changed. */
  refresh(): Promise<void> {
    return this.queue.run(() => this.refreshLocked());
  }

  /**
   * Stores pushed metric values, then publishes them; a metric seen for the first time gets a card
   * everywhere. Answers null, or why nothing was stored (the dashboard is full): a value, not an
   * exception, so it crosses RPC (Workers: topic object → Worker) as data.
   */
  record(inputs: MetricInput[]): Promise<string | null> {
    return this.queue.run(async () => {
      const pushed = await this.loadPushed();
      const fresh = new Set(inputs.map((p) => p.name).filter((name) => !pushed.has(name)));
      const { maxMetrics, sparklinePoints } = this.platform.config.limits;
      if (pushed.size + fresh.size > maxMetrics) {
        return `the dashboard holds at most ${maxMetrics} metrics; "${[...fresh][0]}" would be one more`;
      }
      let regrid = fresh.size > 0;
      const at = Date.now();
      for (const input of inputs) {
        const series = pushed.get(input.name) ?? [];
        const last = series.at(-1);
        // An omitted label or format keeps the metric's current one.
        const point: MetricPoint = { name: input.name, value: input.value, label: input.label ?? last?.label ?? null, format: input.format ?? last?.format ?? 'integer', at };
        await this.platform.store.addMetric(point);
        if (last && (last.label !== point.label || last.format !== point.format)) regrid = true;
        series.push(point);
        if (series.length > sparklinePoints) series.splice(0, series.length - sparklinePoints);
        pushed.set(point.name, series);
      }
      if (regrid) await this.platform.hub.publish(DASHBOARD_TOPIC, 'dashboard', cardsUpdate(await this.viewsLocked()));
      for (const name of new Set(inputs.map((p) => p.name))) await this.publishValue(pushedView(name, pushed.get(name)!));
      return null;
    });
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }

  /** Every card as it stands now (built-in metrics first, then pushed ones by name). */
  views(): Promise<MetricView[]> {
    return this.queue.run(async () => {
      await this.refreshLocked();
      return this.viewsLocked();
    });
  }

  /** One for the board, shared by every stream (it holds nothing of a stream's own). */
  source(): TopicSource {
    return (this.topicSource ??= hubSource(this.platform.hub, 'dashboard', DASHBOARD_TOPIC, async () => {
      const views = await this.views();
      return [
        { name: 'dashboard', fragment: cardsUpdate(views) },
        ...views.map((view) => ({ name: view.name, fragment: valueUpdate(view) })),
      ];
    }));
  }

  private async refreshLocked(): Promise<void> {
    return this.platform.metrics.refreshBuiltIn(() => this.refreshInMemory(), () => this.refreshShared());
  }

  /** One process (or the dashboard object): the built-in series live in this board's memory. */
  private async refreshInMemory(): Promise<void> {
    const values = await this.measure();
    for (const { name } of BUILT_IN) {
      const value = values.get(name)!;
      if (this.builtIn.get(name)?.at(-1) === value) continue;
      this.pushValue(name, value);
      await this.publishValue(this.builtInView(name));
    }
  }

  /**
   * Cluster mode: the built-in series live in the shared store and one instance at a time measures,
   * compares and publishes, so every dashboard gets each change once, with the same sparkline.
   */
  private async refreshShared(): Promise<void> {
    const { store, config } = this.platform;
    const values = await this.measure();
    const stored = await store.metricSeries(config.limits.sparklinePoints);
    for (const { name, label } of BUILT_IN) {
      this.builtIn.set(name, (stored.get(name) ?? []).map((point) => point.value));
      const value = values.get(name)!;
      if (this.builtIn.get(name)!.at(-1) === value) continue;
      await store.addMetric({ name, value, label, format: 'integer', at: Date.now() });
      this.pushValue(name, value);
      await this.publishValue(this.builtInView(name));
    }
  }

  private async viewsLocked(): Promise<MetricView[]> {
    const pushed = await this.loadPushed();
    const names = [...pushed.keys()].sort();
    return [...BUILT_IN.map(({ name }) => this.builtInView(name)), ...names.map((name) => pushedView(name, pushed.get(name)!))];
  }

  private async loadPushed(): Promise<Map<string, MetricPoint[]>> {
    // Cluster mode keeps the built-in series in the shared store too: they are not pushed metrics.
    const series = await this.platform.metrics.pushed(this.platform.config.limits.sparklinePoints);
    for (const { name } of BUILT_IN) series.delete(name);
    return series;
  }

  private async measure(): Promise<Map<string, number>> {
    return new Map([
      ['active-users', (await onlineUserIds(this.platform)).length],
      ['messages-today', await this.platform.store.countMessagesSince(startOfUtcDay(Date.now()))],
      ['rooms-active', (await activeRooms(this.platform)).length],
    ]);
  }

  private pushValue(name: string, value: number): void {
    const series = this.builtIn.get(name) ?? [];
    series.push(value);
    this.builtInAt.set(name, Date.now());
    if (series.length > this.platform.config.limits.sparklinePoints) series.shift();
    this.builtIn.set(name, series);
  }

  private builtInView(name: string): MetricView {
    const label = BUILT_IN.find((m) => m.name === name)!.label;
    return { name, label, format: 'integer', values: this.builtIn.get(name) ?? [], updatedAt: this.builtInAt.get(name) };
  }

  private async publishValue(view: MetricView): Promise<void> {
    await this.platform.hub.publish(DASHBOARD_TOPIC, view.name, valueUpdate(view));
  }
}

/** Names a pushed metric cannot take: they would collide with an event name or an element id on the page. */
const RESERVED = new Set([
  'rooms', 'dashboard', 'notification-count', 'new-notification', 'metric-cards', 'notif-count', 'toast-container',
  'connection-status', 'identity', 'name-form', 'name-input', 'name-form-input', 'name-form-error', 'rename-form',
  'rename-form-input', 'rename-form-error', 'user-id', 'notification-list', 'theme-toggle', 'offline-banner', 'main',
  'pending-messages', 'room-title', 'players-title', 'mark-read', 'list-title', 'api-title', 'active-title', 'open-title',
]);

/**
 * Each metric is an SSE event named after it; these names are already events of the EventSource or
 * the DOM (`error` would fire every page's error handler and show Reconnecting…).
 */
const EVENT_NAMES = new Set(['error', 'open', 'message', 'close', 'abort', 'load', 'loadstart', 'loadend', 'readystatechange', 'progress', 'timeout', 'beforeunload', 'unload', 'pagehide', 'pageshow', 'visibilitychange', 'online', 'offline', 'focus', 'blur', 'submit', 'reset', 'change', 'input', 'click', 'keydown', 'keyup', 'toggle']);

export function reservedMetricName(name: string): string | null {
  if (EVENT_NAMES.has(name) || /^(htmx|sse|ws)[-_]/.test(name)) return 'it is an EventSource or DOM event name, which the page would mistake for its own';
  if (BUILT_IN.some((m) => m.name === name)) return 'it is a built-in metric';
  if (RESERVED.has(name) || /^(card|toast|notification)-/.test(name)) return 'it is used by the page itself';
  return null;
}

function pushedView(name: string, series: MetricPoint[]): MetricView {
  const last = series.at(-1)!;
  return { name, label: last.label ?? name, format: last.format, values: series.map((p) => p.value), updatedAt: last.at };
}
