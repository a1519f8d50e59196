/**
 * Every bench message carries its phase and send time (from `now()`), so a load client reads the
 * send time out of the fragment it received: no side channel, nothing the server could skew.
 *
 * - chat: the message text starts `bench:PHASE:SEQ:SENT_AT`.
 * - metric: the `bench` metric's value is PHASE·10¹¹ + (SENT_AT in µs mod 10¹¹); the dashboard
 *   renders it as an integer (`200,012,345,678`), and the µs wrap every 27 hours, which the reader undoes.
 */
export type TokenFormat = 'chat' | 'metric';

export interface Token {
  phase: number;
  sentAt: number;
}

const CHAT = /bench:(\d+):(\d+):(\d+(?:\.\d+)?)/;
/** htmx 2: the named `bench` event's data; htmx 4: an unnamed event swapping `#bench` out of band. */
const METRIC = /^(?:bench\n|(?:message)?\n<div id="bench" hx-swap-oob="innerHTML">)<span class="metric">([\d,]+)<\/span>/;
const WRAP_US = 1e11;
export const METRIC_NAME = 'bench';

export function benchText(phase: number, seq: number, sentAt: number, size: number): string {
  return `bench:${phase}:${seq}:${sentAt.toFixed(3)} `.padEnd(size, 'x');
}

export function benchMetricValue(phase: number, sentAt: number): number {
  return phase * WRAP_US + (Math.round(sentAt * 1000) % WRAP_US);
}

/** The token in a received payload (for SSE: `EVENT\nDATA`), or null. `receivedAt` undoes the wrap. */
export function readToken(text: string, format: TokenFormat, receivedAt: number): Token | null {
  if (format === 'chat') {
    const match = CHAT.exec(text);
    return match ? { phase: Number(match[1]), sentAt: Number(match[3]) } : null;
  }
  const match = METRIC.exec(text);
  if (!match) return null;
  const value = Number(match[1]!.replace(/,/g, ''));
  const sentUs = value % WRAP_US;
  const nowUs = Math.round(receivedAt * 1000) % WRAP_US;
  const ageUs = (nowUs - sentUs + WRAP_US) % WRAP_US;
  return { phase: Math.floor(value / WRAP_US), sentAt: receivedAt - ageUs / 1000 };
}
