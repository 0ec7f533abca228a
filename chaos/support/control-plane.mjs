// A control plane in a process of its own, so a scenario can SIGKILL it. Env: TOKEN,
// and DATA (SQLite folder) or POSTGRES (URL); PORT (default 0). Prints {"port": N}.
import { startServer } from '../../packages/server/dist/index.js';

const server = await startServer({
  port: Number(process.env.PORT ?? 0),
  host: '127.0.0.1',
  ...(process.env.POSTGRES ? { postgres: process.env.POSTGRES } : { data: process.env.DATA }),
  adminToken: process.env.TOKEN,
  log: () => {},
});
console.log(JSON.stringify({ port: Number(new URL(server.url).port) }));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
