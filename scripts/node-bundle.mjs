// The esbuild options every Node bundle of the app shares: scripts/build.mjs (dist/, what `npm start`
// runs) and the bench's servers under test (bench/lib/process.ts), so both run the same code shape.
export const NODE_BUNDLE = {
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  sourcemap: true,
  logLevel: 'warning',
};
