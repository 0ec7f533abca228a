import type pg from 'pg';
import type { PostgresDb } from './postgres-db.js';

/**
 * LISTENs on the schema's channel and reports other replicas' commits. When the
 * connection drops it reconnects and reports every namespace's version, so
 * changes committed while it was away are caught up rather than missed.
 */
export async function listenForChanges(
  db: PostgresDb,
  channel: string,
  replica: string,
  onChange: (namespace: string, version: number) => void,
  versions: () => Promise<Array<{ name: string; version: number }>>,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = await db.connectListener();
    c.on('notification', (message) => {
      const [from, namespace, version] = (message.payload ?? '').split('|');
      if (from === replica || namespace === undefined || version === undefined) return;
      onChange(namespace, Number(version));
    });
    const lost = () => {
      if (stopped || client !== c) return;
      client = undefined;
      c.end().catch(() => undefined);
      retry = setTimeout(reconnect, 1000);
    };
    c.on('error', lost);
    c.on('end', lost);
    await c.query(`LISTEN "${channel}"`);
    client = c;
  };

  const reconnect = () => {
    retry = undefined;
    connect()
      .then(() => versions())
      .then((list) => {
        for (const ns of list) onChange(ns.name, ns.version);
      })
      .catch(() => {
        if (!stopped) retry = setTimeout(reconnect, 1000);
      });
  };

  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = undefined;
    await c?.end().catch(() => undefined);
  };
}
