// The Graylane gateway as its own process, as `graylane gateway` runs it.
import { startGateway } from '../../packages/gateway/dist/index.js';

const gateway = await startGateway({
  server: process.env.GRAYLANE_SERVER,
  token: process.env.GRAYLANE_TOKEN,
  namespace: process.env.GRAYLANE_NAMESPACE,
  port: 0,
  host: '127.0.0.1',
  logLevel: 'error',
});
console.log(JSON.stringify({ port: gateway.port }));
process.on('SIGTERM', () => gateway.close().then(() => process.exit(0)));
