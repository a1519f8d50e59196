/**
 * Versions of the vendored scripts (package.json pins them; test/integration/static.test.ts checks
 * they match). The version goes into the URL, so a cached copy can be kept as immutable.
 */
export const VENDOR_VERSIONS = { 'htmx.min.js': '2.0.11', 'ws.min.js': '2.0.4', 'sse.min.js': '2.2.4' } as const;

export const vendorUrl = (file: keyof typeof VENDOR_VERSIONS) => `/vendor/${file}?v=${VENDOR_VERSIONS[file]}`;
