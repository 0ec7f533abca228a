import { readFileSync } from 'node:fs';
import { GraylaneError } from '@graylane/core';
import { usageError } from '../command-failure.js';

export const tlsFlagSpec = {
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
} as const;

/** The help lines of the TLS flags, their text starting at `column` like the command's other options. */
export function tlsFlagsHelp(column: number): string {
  return [
    ['--tls-cert FILE', 'serve HTTPS with this PEM certificate (chain); needs --tls-key'],
    ['--tls-key FILE', 'its unencrypted PEM key'],
  ]
    .map(([flag, text]) => `  ${flag!.padEnd(column - 2)}${text}`)
    .join('\n');
}

/** The certificate and key of --tls-cert/--tls-key, or undefined for plain HTTP. */
export function readTls(
  values: { 'tls-cert'?: string; 'tls-key'?: string },
  usage: string,
): { cert: Buffer; key: Buffer } | undefined {
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined)
    throw usageError('--tls-cert and --tls-key go together', usage);
  const read = (file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new GraylaneError('GL_TLS_INVALID', `cannot read ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
  return { cert: read(certFile), key: read(keyFile) };
}
