// Starts a bench child process and waits for its first JSON line on stdout
// (`{"port": N, ...}`): the common start-up handshake of the bench services.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** `node` picks the binary (a Node line from scripts/node-lines.mjs); default: this one. */
export function spawnReady(name, args, { cwd, env = {}, node = process.execPath } = {}) {
  const child = spawn(node, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (c) => {
    log += c;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${log}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${log}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      resolve({ name, child, port: JSON.parse(line).port, log: () => log });
    });
  });
}
