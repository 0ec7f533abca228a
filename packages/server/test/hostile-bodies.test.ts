import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { api, laneYaml } from './support/api.js';
import { ADMIN, type StoreFixture, sqliteFixture } from './support/store-fixture.js';

interface RawAnswer {
  status: number;
  code: string | undefined;
  head: string;
  /** The server ended the connection with a FIN (`end`), not a reset. */
  ended: boolean;
  error: string | undefined;
  /** The server answered 100 Continue before its final answer. */
  continued: boolean;
}

/**
 * Talks HTTP/1.1 over a bare socket as an attacker would: `head` is written as is,
 * then `body` (possibly far less than declared), and the socket is read until the
 * server closes it.
 */
function raw(port: number, head: string, body: (socket: Socket) => void = () => {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let error: string | undefined;
    let ended = false;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('end', () => {
      ended = true;
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => {
      const continued = text.startsWith('HTTP/1.1 100');
      const final = continued ? text.slice(text.indexOf('\r\n\r\n') + 4) : text;
      const [headText = '', bodyText = ''] = final.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(headText)?.[1] ?? 0);
      let code: string | undefined;
      try {
        code = JSON.parse(bodyText).error?.code;
      } catch {}
      resolve({ status, code, head: headText, ended, error, continued });
    });
    socket.write(head);
    body(socket);
  });
}

/** Writes `total` bytes of `x` in 64 kB chunks, as fast as the socket takes them, ignoring a closed socket. */
function flood(socket: Socket, total: number, chunked = false): void {
  const piece = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  const next = () => {
    while (sent < total && !socket.destroyed && socket.writable) {
      sent += piece.length;
      const data = chunked
        ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
        : piece;
      if (!socket.write(data)) {
        socket.once('drain', next);
        return;
      }
    }
  };
  next();
}

const MB = 1024 * 1024;
const auth = `authorization: Bearer ${ADMIN}\r\n`;

describe('bodies over the limit', () => {
  let fixture: StoreFixture;
  let server: RunningServer;

  beforeAll(async () => {
    fixture = await sqliteFixture();
    server = await fixture.start();
  });
  afterAll(async () => fixture?.cleanup());

  const expectRefused = (answer: RawAnswer) => {
    expect(answer.status).toBe(413);
    expect(answer.code).toBe('GL_BODY_TOO_LARGE');
    expect(answer.head.toLowerCase()).toContain('connection: close');
    expect(answer.ended).toBe(true);
    expect(answer.error).toBeUndefined();
  };

  it('answers 413 to a declared 2 MB body that is then sent, and closes the connection without a reset', async () => {
    const head = `POST /v1/apply HTTP/1.1\r\nhost: x\r\n${auth}content-type: application/yaml\r\ncontent-length: ${2 * MB}\r\n\r\n`;
    expectRefused(await raw(server.port, head, (s) => flood(s, 2 * MB)));
  });

  it('answers 413 to a declared 5 GB body at once, without waiting for it', async () => {
    const head = `POST /v1/apply HTTP/1.1\r\nhost: x\r\n${auth}content-length: ${5 * 1024 * MB}\r\n\r\n`;
    expectRefused(await raw(server.port, head, (s) => flood(s, 20 * MB)));
  });

  it('answers 413 to a chunked body as soon as it passes the limit', async () => {
    const head = `POST /v1/apply HTTP/1.1\r\nhost: x\r\n${auth}transfer-encoding: chunked\r\n\r\n`;
    expectRefused(await raw(server.port, head, (s) => flood(s, 3 * MB, true)));
  });

  it('answers 413 without 100 Continue when the declared length of an Expect: 100-continue request is over the limit', async () => {
    const head = `POST /v1/apply HTTP/1.1\r\nhost: x\r\n${auth}expect: 100-continue\r\ncontent-length: ${5 * 1024 * MB}\r\n\r\n`;
    const answer = await raw(server.port, head);
    expect(answer.continued).toBe(false);
    expectRefused(answer);
  });

  it('answers 413 to an oversized body before authenticating, and to any route', async () => {
    const head = `PUT /v1/namespaces/default/instances/x/heartbeat HTTP/1.1\r\nhost: x\r\ncontent-length: ${2 * MB}\r\n\r\n`;
    expectRefused(await raw(server.port, head, (s) => flood(s, 2 * MB)));
  });

  it('closes without a reset after refusing the credentials of a request whose body it did not read', async () => {
    const head = `POST /v1/apply HTTP/1.1\r\nhost: x\r\nauthorization: Bearer wrong-token\r\ncontent-length: ${MB}\r\n\r\n`;
    const answer = await raw(server.port, head, (s) => flood(s, MB));
    expect(answer.status).toBe(401);
    expect(answer.ended).toBe(true);
    expect(answer.error).toBeUndefined();
  });

  it('still accepts a body under the limit with Expect: 100-continue, and keeps serving', async () => {
    const body = laneYaml('continued');
    const head = `POST /v1/apply HTTP/1.1\r\nhost: x\r\n${auth}content-type: application/yaml\r\nexpect: 100-continue\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const answer = await raw(server.port, head, (s) => s.write(body));
    expect(answer.continued).toBe(true);
    expect(answer.status).toBe(200);
    expect((await api(server.url)('GET', '/healthz')).status).toBe(200);
  });
});

describe('bad documents and strings', () => {
  let fixture: StoreFixture;
  let server: RunningServer;
  let call: ReturnType<typeof api>;

  beforeAll(async () => {
    fixture = await sqliteFixture();
    server = await fixture.start({ maxResourceBytes: 8 * 1024 });
    call = api(server.url);
  });
  afterAll(async () => fixture?.cleanup());

  const send = async (method: string, path: string, body: string | Buffer, type = 'application/yaml') => {
    const res = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': type },
      body,
    });
    const json = (await res.json()) as { error?: { code: string } };
    return [res.status, json.error?.code];
  };

  it('answers billion laughs, an unresolved alias and 600 nested groups with 400 and a documented code', async () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      laughs.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(await send('POST', '/v1/apply', laughs.join('\n'))).toEqual([400, 'GL_DOCUMENT_INVALID']);
    expect(await send('POST', '/v1/apply', laneYaml('alias').replace('xiaoming', '*nowhere'))).toEqual([
      400,
      'GL_DOCUMENT_INVALID',
    ]);
    let node: object = { source: 'method', op: 'eq', value: 'GET' };
    for (let i = 0; i < 600; i++) node = { all: [node] };
    const deep = {
      apiVersion: 'graylane.io/v1',
      kind: 'Lane',
      metadata: { name: 'deep' },
      spec: { tag: 'gray', entry: { apps: ['a'], match: node } },
    };
    const [status, code] = await send(
      'PUT',
      '/v1/namespaces/default/lanes/deep',
      JSON.stringify(deep),
      'application/json',
    );
    expect(status).toBe(400);
    expect(code).toBe('GL_RULE_INVALID');
    expect((await send('POST', '/v1/apply', JSON.stringify([deep]), 'application/json'))[0]).toBe(400);
  });

  it('answers a megabyte of nested brackets or dashes with 400 GL_DOCUMENT_INVALID, and keeps serving', async () => {
    // The YAML parser recurses per level: unchecked, a megabyte of `[` took it a
    // gigabyte of memory and brought the control plane down.
    for (const [piece, type] of [
      ['[', 'application/json'],
      ['{"a": ', 'application/json'],
      ['- ', 'application/yaml'],
      ['!!map {', 'application/yaml'],
    ] as const) {
      const text = piece.repeat(Math.floor(1_000_000 / piece.length));
      expect(await send('POST', '/v1/apply', text, type), piece).toEqual([400, 'GL_DOCUMENT_INVALID']);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await send('POST', '/v1/apply', laneYaml('after-deep'))).toEqual([200, undefined]);
  });

  it('registers instances at an IP address or a host name, and refuses any other address with 400', async () => {
    const register = (id: string, address: string) =>
      send(
        'POST',
        '/v1/namespaces/default/instances',
        JSON.stringify({ id, app: 'b', address, ports: { http: 8080 } }),
        'application/json',
      );
    expect(await register('v4', '10.0.0.7')).toEqual([201, undefined]);
    expect(await register('v6', 'fd00::7')).toEqual([201, undefined]);
    expect(await register('dns', 'b-0.b.shop.svc.cluster.local')).toEqual([201, undefined]);
    for (const bad of ['not an ip; rm -rf /', 'http://10.0.0.7', '10.0.0.7:8080', '-b.example', 'a..b']) {
      expect(await register('bad', bad), bad).toEqual([400, 'GL_BAD_REQUEST']);
    }
  });

  it('answers a malformed JSON PUT with GL_DOCUMENT_INVALID, as docs/errors.md lists for documents', async () => {
    expect(await send('PUT', '/v1/namespaces/default/lanes/x', '{"kind": ', 'application/json')).toEqual([
      400,
      'GL_DOCUMENT_INVALID',
    ]);
  });

  it('refuses a resource over --max-resource-size with 413 GL_RESOURCE_TOO_LARGE and stores nothing', async () => {
    const big = laneYaml('big').replace('xiaoming', 'x'.repeat(9 * 1024));
    expect(await send('POST', '/v1/apply', big)).toEqual([413, 'GL_RESOURCE_TOO_LARGE']);
    expect((await call('GET', '/v1/namespaces/default/lanes/big')).status).toBe(404);
  });

  it('refuses invalid UTF-8 in a document or a JSON body with 400 instead of storing U+FFFD', async () => {
    const yaml = Buffer.concat([
      Buffer.from(laneYaml('utf').replace('xiaoming', 'xiao')),
      Buffer.from([0xff, 0xfe]),
    ]);
    expect(await send('POST', '/v1/apply', yaml)).toEqual([400, 'GL_BAD_REQUEST']);
    const instance = Buffer.concat([
      Buffer.from('{"id":"i1","app":"a'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","address":"10.0.0.1"}'),
    ]);
    expect(await send('POST', '/v1/namespaces/default/instances', instance, 'application/json')).toEqual([
      400,
      'GL_BAD_REQUEST',
    ]);
    const surrogate = '{"name":"t","role":"agent","x":"\\udc00"}';
    expect(await send('POST', '/v1/tokens', surrogate, 'application/json')).toEqual([400, 'GL_BAD_REQUEST']);
    expect((await call('GET', '/v1/namespaces/default/lanes/utf')).status).toBe(404);
  });
});

describe('a text that takes long to read', () => {
  let fixture: StoreFixture;
  let server: RunningServer;

  beforeAll(async () => {
    fixture = await sqliteFixture();
    server = await fixture.start();
  });
  afterAll(async () => fixture?.cleanup());

  it('is read off the event loop: /healthz answers while a megabyte of YAML is being parsed', async () => {
    // About 900 kB of keys: the YAML library takes a second or more to read it.
    const text = Array.from({ length: 75_000 }, (_, i) => `k${i}: v`).join('\n');
    let answered: number | undefined;
    const applied = fetch(`${server.url}/v1/apply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/yaml' },
      body: text,
    }).then(async (res) => {
      answered = res.status;
      return res.json();
    });
    // Sent once the text is on its way; only the order of the answers is checked.
    await new Promise((r) => setTimeout(r, 100));
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(answered).toBeUndefined();
    expect((await applied).error.code).toBe('GL_KIND_UNKNOWN');
    expect(answered).toBe(400);
  });
});
