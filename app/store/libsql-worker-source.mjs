// The storage thread when the app runs from its TypeScript source (npm run dev, tests): registers
// tsx in this thread first (Node 20 does not apply a worker's `--import tsx` to its entry module),
// then loads the TypeScript entry. `npm start` runs the compiled dist/libsql-worker.js instead.
const { register } = await import('tsx/esm/api');
register();
await import('./libsql-worker.ts');
