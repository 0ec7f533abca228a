import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/graylane.js', import.meta.url));

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('graylane demo', () => {
  it('prints the tour, answers through the gateway, and Ctrl-C leaves nothing listening', async () => {
    const child = spawn(process.execPath, [bin, 'demo', '--port', '0', '--server-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      out += c;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 150_000;
    while (!out.includes('Ctrl-C stops every process') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(out, 'the demo did not come up').toContain('Ctrl-C stops every process');
    expect(out).toContain('Admin token (shown once): gl_demo_');
    const gateway = /curl '(http:\/\/[^/]+)\/A\/dubbo\?name=xiaoming'/.exec(out)![1]!;
    const server = /Console: (http:\/\/[^/ ]+)\//.exec(out)![1]!;
    const answer = await fetch(`${gateway}/A/dubbo?name=xiaoming`).then((r) => r.text());
    expect(answer).toMatch(/^A\[.+\]\[gray\] -> B\[.+\]\[gray\] -> C\[.+\]\[gray\]$/);
    const ports = [Number(new URL(gateway).port), Number(new URL(server).port), 9876, 8081];
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('nothing is left listening');
    for (const port of ports) expect(await listening(port), `port ${port} still listening`).toBe(false);
  }, 240_000);
});
