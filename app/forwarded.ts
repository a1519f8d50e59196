import type { Context } from 'hono';
import type { Config } from './config.ts';

/**
 * How a request reached the app and from whom (SPEC §6). Without TRUST_PROXY the request's own URL
 * and the socket's peer are the truth; with TRUST_PROXY=true the proxy in front tells us the
 * browser's scheme, host and address (`X-Forwarded-Proto/Host/For`), as Express's `trust proxy` and
 * Phoenix's `Plug.RewriteOn` do. Use these three functions wherever the app needs one of them.
 */

type ProxyConfig = Pick<Config, 'trustProxy'>;

/** The first value of a comma-separated forwarded header: the hop nearest the browser. */
function firstHop(c: Context, header: string): string | undefined {
  return c.req.header(header)?.split(',')[0]?.trim() || undefined;
}

const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The origin the browser sees, e.g. `https://chat.example.com` behind a TLS-terminating proxy. */
export function publicOrigin(c: Context, config: ProxyConfig): string {
  const url = new URL(c.req.url);
  if (!config.trustProxy) return url.origin;
  const proto = firstHop(c, 'x-forwarded-proto')?.toLowerCase();
  const host = firstHop(c, 'x-forwarded-host');
  const scheme = proto === 'https' || proto === 'http' ? proto : url.protocol.slice(0, -1);
  return new URL(`${scheme}://${host && HOST.test(host) ? host : url.host}`).origin;
}

/** Whether the browser reached us over https (directly, or through a trusted TLS-terminating proxy). */
export function isHttps(c: Context, config: ProxyConfig): boolean {
  return publicOrigin(c, config).startsWith('https:');
}

/**
 * The client's address: the first `X-Forwarded-For` hop with TRUST_PROXY=true, otherwise the
 * socket's peer as the runtime reports it (`unknown` when the runtime cannot tell).
 */
export function clientAddress(c: Context, config: ProxyConfig, peerAddress: (c: Context) => string | undefined): string {
  if (config.trustProxy) {
    const forwarded = firstHop(c, 'x-forwarded-for');
    if (forwarded) return forwarded.replace(/^\[|\]$/g, '');
  }
  return peerAddress(c) ?? 'unknown';
}
