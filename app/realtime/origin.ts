/**
 * A browser always sends Origin on WebSocket upgrades and EventSource requests; a foreign one is
 * refused before upgrading (SPEC §6). Non-browser clients send none and are let through: a page on
 * another site cannot make a browser omit it. `ownOrigin` is `publicOrigin` (forwarded.ts): behind a
 * trusted proxy, the origin the browser sees.
 */
export function isAllowedOrigin(origin: string | undefined, ownOrigin: string, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (origin === ownOrigin) return true;
  return allowed.includes(origin);
}
