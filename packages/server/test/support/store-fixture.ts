import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, type ServerOptions, startServer } from '../../src/index.js';
import { createTestSchema } from './postgres-schema.js';

export const ADMIN = 'test-admin-token';

/** A fresh, empty store; `start` may be called several times (restarts, replicas). */
export interface StoreFixture {
  name: 'sqlite' | 'postgres';
  options: Pick<ServerOptions, 'data' | 'postgres'>;
  start(extra?: ServerOptions): Promise<RunningServer>;
  cleanup(): Promise<void>;
}

function starter(base: Pick<ServerOptions, 'data' | 'postgres'>, servers: RunningServer[]) {
  return async (extra: ServerOptions = {}) => {
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      adminToken: ADMIN,
      log: () => {},
      ...base,
      ...extra,
    });
    servers.push(server);
    return server;
  };
}

export async function sqliteFixture(): Promise<StoreFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'graylane-test-'));
  const servers: RunningServer[] = [];
  const options = { data: dir };
  return {
    name: 'sqlite',
    options,
    start: starter(options, servers),
    async cleanup() {
      await Promise.all(servers.map((s) => s.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A schema of its own in the test database, dropped afterwards. */
export async function postgresFixture(): Promise<StoreFixture> {
  const schema = await createTestSchema();
  const servers: RunningServer[] = [];
  const options = { postgres: schema.url };
  return {
    name: 'postgres',
    options,
    start: starter(options, servers),
    async cleanup() {
      await Promise.all(servers.map((s) => s.close()));
      await schema.drop();
    },
  };
}
