import type { HtmxMajor } from './config.ts';

/**
 * How a real-time endpoint tells the htmx majors apart, per connection (SPEC §8). Pages served for
 * htmx 4 mark their connect URLs with `htmx=4`; an unmarked socket is taken for htmx 2 (every page
 * served before htmx 4 existed) until its first message shows otherwise (`HEADERS` vs `headers`).
 * An unmarked stream is htmx 4 when it carries `HX-Request`, which htmx 4's fetch-based SSE sends
 * and an EventSource (htmx 2) never does.
 */
export const MAJOR_PARAM = 'htmx';

function majorOfParam(url: string): HtmxMajor | null {
  const value = new URL(url).searchParams.get(MAJOR_PARAM);
  return value === '4' ? 4 : value === '2' ? 2 : null;
}

export function majorOfSocketUrl(url: string): HtmxMajor {
  return majorOfParam(url) ?? 2;
}

export function majorOfStream(url: string, headers: { get(name: string): string | null | undefined }): HtmxMajor {
  return majorOfParam(url) ?? (headers.get('hx-request') === 'true' ? 4 : 2);
}

/** A connect URL as a page of `major` writes it. */
export function markedUrl(path: string, major: HtmxMajor): string {
  if (major === 2) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${MAJOR_PARAM}=${major}`;
}
