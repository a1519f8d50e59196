// Baseline for the idle-memory row: the bare `ws` chat server's process as production would run it
// (plain `node`, no TypeScript loader): node:http with a `ws` server on it, nothing else.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const server = createServer((_req, res) => res.writeHead(404).end());
new WebSocketServer({ server, maxPayload: 64 * 1024 });
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
