import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { GraylaneError } from '@graylane/core/runtime';

// Where Debian, Ubuntu, Alpine (ca-certificates) and Fedora/RHEL keep the system's trusted CAs.
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM text. */
function certificatesOf(text: string): string[] {
  return text.match(PEM) ?? [];
}

/** The system store: Node's own reading of it where it has one (22.15 and later), else the usual bundle file. */
function systemCertificates(env: NodeJS.ProcessEnv): string[] {
  // Not in the type definitions of the oldest supported line.
  const getCACertificates = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  if (typeof getCACertificates === 'function') {
    try {
      return getCACertificates('system');
    } catch {
      // older lines: read the file below
    }
  }
  for (const file of [env.SSL_CERT_FILE, ...SYSTEM_BUNDLES]) {
    if (!file) continue;
    try {
      return certificatesOf(readFileSync(file, 'utf8'));
    } catch {
      // not on this system
    }
  }
  return [];
}

/**
 * The CAs to trust for the control plane (and a TLS gateway): Node's bundled roots,
 * the system store (where a company's own CA is usually installed) and the CA of
 * `GRAYLANE_CA` (a PEM file, or the PEM text itself, e.g. from a Secret).
 * `GRAYLANE_CA` that cannot be read or holds no certificate is a GraylaneError with `code`.
 */
export function readTrustedCas(
  env: NodeJS.ProcessEnv = process.env,
  code: 'GL_AGENT_CONFIG_INVALID' | 'GL_TLS_INVALID' = 'GL_AGENT_CONFIG_INVALID',
): string[] {
  const given = env.GRAYLANE_CA?.trim() ?? '';
  let own: string[] = [];
  if (given !== '') {
    let text = given;
    if (!given.startsWith('-----BEGIN')) {
      try {
        text = readFileSync(given, 'utf8');
      } catch (error) {
        throw new GraylaneError(code, `GRAYLANE_CA ${given} cannot be read (${(error as Error).message})`, {
          cause: error,
        });
      }
    }
    own = certificatesOf(text);
    if (own.length === 0) {
      throw new GraylaneError(
        code,
        'GRAYLANE_CA holds no PEM certificate: set it to the CA file (-----BEGIN CERTIFICATE-----) or its text',
      );
    }
  }
  return [...new Set([...tls.rootCertificates, ...systemCertificates(env), ...own])];
}
