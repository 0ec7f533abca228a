import { createServer } from 'node:net';
import { GraylaneError } from '@graylane/core';

/**
 * Fails with GL_PORT_IN_USE naming the first port that cannot be bound on
 * loopback. Checked before any JVM starts: a JVM that finds its port taken logs
 * the fact deep in a log file and may keep half-running.
 */
export async function assertPortsFree(ports: { port: number; role: string }[], hint: string): Promise<void> {
  for (const { port, role } of ports) {
    if (!(await canBind(port))) {
      throw new GraylaneError(
        'GL_PORT_IN_USE',
        `port ${port} (${role}) is already in use: stop what listens there (see \`ss -ltnp | grep :${port}\` ` +
          `and \`graylane rocketmq status\`) or ${hint}`,
      );
    }
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // 127.0.0.1 collides with listeners on 127.0.0.1, 0.0.0.0 and a dual-stack ::.
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
