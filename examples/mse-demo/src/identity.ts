import { networkInterfaces } from 'node:os';

/** This process as the demo prints it: `A[10.0.0.5:8080][gray]`. */
export function identity(letter: string, port: number): string {
  let ip = '127.0.0.1';
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((i) => i.family === 'IPv4' && !i.internal);
    if (found) {
      ip = found.address;
      break;
    }
  }
  // The version label of the pod/process; in Kubernetes the same label feeds the agent.
  const version = process.env.APP_VERSION || process.env.GRAYLANE_TAG || 'base';
  return `${letter}[${ip}:${port}][${version}]`;
}

export function listenPort(fallback = 0): number {
  const port = Number(process.env.PORT ?? fallback);
  return Number.isInteger(port) && port >= 0 ? port : fallback;
}
