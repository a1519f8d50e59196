import type { FC } from 'hono/jsx';
import type { HtmxMajor } from '../app/ports/fragment.ts';
import { markedUrl } from '../app/htmx-major.ts';
import { vendorUrl } from './assets.ts';

/**
 * The attributes and scripts that differ between the htmx majors (SPEC §8). Pages and fragments
 * take the major as their `htmx` prop (default 2); routes pass `HTMX_VERSION`, a fragment rendered
 * per major passes each major in turn.
 */
export type { HtmxMajor };

type Attributes = Record<string, string | boolean>;

/**
 * Where each SSE event lands on the page. htmx 2 swaps a named event into the element whose
 * `sse-swap` names it; htmx 4 swaps only unnamed messages, so the same update goes out as an
 * out-of-band swap of the same element (app/realtime/sse-fragment.tsx).
 */
export interface SseTarget {
  id: string;
  swap: 'innerHTML' | 'afterbegin';
}

const SSE_TARGETS: Record<string, SseTarget> = {
  rooms: { id: 'room-list', swap: 'innerHTML' },
  dashboard: { id: 'metric-cards', swap: 'innerHTML' },
  'notification-count': { id: 'notif-count', swap: 'innerHTML' },
  'new-notification': { id: 'toast-container', swap: 'afterbegin' },
};

/** Any other event is a metric's value, swapped into the element named after the metric. */
export const sseTarget = (event: string): SseTarget => SSE_TARGETS[event] ?? { id: event, swap: 'innerHTML' };

/** The attributes that make an element take the `event` updates: `sse-swap` on htmx 2, nothing on htmx 4 (its updates are OOB). */
export function sseSwap(major: HtmxMajor, event: string): Attributes {
  return major === 2 ? { 'sse-swap': event, 'hx-swap': sseTarget(event).swap } : {};
}

/** The page's one stream. htmx 4 swaps whatever is not OOB into the connect element, so it swaps nothing there. */
export function sseConnect(major: HtmxMajor, url: string): Attributes {
  return major === 2 ? { 'hx-ext': 'sse', 'sse-connect': url } : { 'hx-sse:connect': markedUrl(url, 4), 'hx-swap': 'none' };
}

/** A room's socket; the same no-main-swap rule as the stream on htmx 4 (every push is OOB). */
export function wsConnect(major: HtmxMajor, url: string): Attributes {
  return major === 2 ? { 'hx-ext': 'ws', 'ws-connect': url } : { 'hx-ws:connect': markedUrl(url, 4), 'hx-swap': 'none' };
}

/** A form that sends its values over the enclosing socket. */
export function wsSend(major: HtmxMajor): Attributes {
  return major === 2 ? { 'ws-send': true } : { 'hx-ws:send': true };
}

/**
 * No inline styles (the CSP forbids them) and no eval. htmx 4 swaps 4xx/5xx answers by default;
 * `noSwap` keeps htmx 2's behaviour (an error answer is not swapped over the page). htmx 4 settles a
 * swap a moment later (`defaultSettleDelay`), putting back the server's `class` on every new element
 * whose id was on the page: after the page scripts marked the lines (`.own`, `.continued`,
 * `.mention`), so a reconnect snapshot lost the marks and the log's height moved under its scroll
 * position. htmx 2's ws and sse extensions settle at once, before those scripts run; `0` does the same.
 */
const CONFIG: Record<HtmxMajor, string> = {
  2: JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false }),
  4: JSON.stringify({ includeIndicatorCSS: false, noSwap: [204, 304, '4xx', '5xx'], defaultSettleDelay: 0 }),
};

/**
 * htmx and its real-time extensions, vendored by scripts/vendor.mjs. htmx 2 starts on
 * DOMContentLoaded, so everything is deferred. htmx 4 starts at once when it loads after parsing
 * (`setTimeout(init)` while deferred scripts still run, possibly before its extensions or the page
 * scripts are there), so it and its extensions load in parse order and it waits for DOMContentLoaded.
 * htmx 4's hx-sse sends Last-Event-ID on its own reconnects (no sse-resume.js); the bridge gives the
 * page scripts htmx 2's event names.
 */
const SCRIPTS: Record<HtmxMajor, { blocking: string[]; deferred: string[] }> = {
  2: { blocking: [], deferred: [vendorUrl('htmx.min.js'), vendorUrl('ws.min.js'), vendorUrl('sse.min.js'), '/js/sse-resume.js'] },
  4: {
    blocking: ['/vendor/htmx4/htmx.min.js?v=4.0.1', '/vendor/htmx4/ext/hx-ws.min.js?v=4.0.1', '/vendor/htmx4/ext/hx-sse.min.js?v=4.0.1'],
    deferred: ['/js/htmx4-bridge.js'],
  },
};

export const HtmxHead: FC<{ major: HtmxMajor }> = ({ major }) => (
  <>
    <meta name="htmx-config" content={CONFIG[major]} />
    {SCRIPTS[major].blocking.map((src) => (
      <script src={src}></script>
    ))}
    {SCRIPTS[major].deferred.map((src) => (
      <script src={src} defer></script>
    ))}
  </>
);
