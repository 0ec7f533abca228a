import { connect } from 'node:net';

/**
 * True when a Kafka broker on 127.0.0.1:port answers an ApiVersions request. The
 * broker binds its port before it can serve, so an open port alone is not readiness;
 * ApiVersions v0 is the one request every broker version answers.
 */
export function kafkaAnswers(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const clientId = Buffer.from('graylane');
    // size, api_key 18 (ApiVersions), api_version 0, correlation_id, client_id
    const request = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
    request.writeInt32BE(request.length - 4, 0);
    request.writeInt16BE(18, 4);
    request.writeInt16BE(0, 6);
    request.writeInt32BE(7, 8);
    request.writeInt16BE(clientId.length, 12);
    clientId.copy(request, 14);
    const socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 10) return;
      // size, correlation_id, error_code: 0 is a broker that serves requests.
      done(received.readInt32BE(4) === 7 && received.readInt16BE(8) === 0);
    });
  });
}
