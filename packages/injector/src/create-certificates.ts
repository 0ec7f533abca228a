import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface CertificateOptions {
  /** The webhook's Service and its namespace: the API server calls `<service>.<namespace>.svc`. */
  service: string;
  namespace: string;
  /** More names the serving certificate is valid for (DNS names or IP addresses). */
  extraNames?: string[];
  /** Validity of the serving certificate; the CA lasts ten times as long. */
  days?: number;
}

export interface Certificates {
  /** PEM CA certificate; base64 of it is the webhook's `caBundle`. */
  caCert: string;
  tlsCert: string;
  tlsKey: string;
  caBundle: string;
}

/** A private CA and a serving certificate signed by it, for the webhook's Service name. */
export function createCertificates(options: CertificateOptions): Certificates {
  const days = options.days ?? 730;
  const ca = keyPair();
  const caCert = certificate({
    subject: `graylane-injector-ca`,
    publicKey: ca.publicKey,
    signer: ca.privateKey,
    issuer: undefined,
    days: days * 10,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });
  const serving = keyPair();
  const svc = `${options.service}.${options.namespace}.svc`;
  const names = [options.service, `${options.service}.${options.namespace}`, svc, `${svc}.cluster.local`];
  for (const n of options.extraNames ?? []) if (!names.includes(n)) names.push(n);
  const tlsCert = certificate({
    subject: svc,
    publicKey: serving.publicKey,
    signer: ca.privateKey,
    issuer: caCert,
    days,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((n) => (/^[\d.]+$|:/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })),
      },
    ],
  });
  const caPem = forge.pki.certificateToPem(caCert);
  return {
    caCert: caPem,
    tlsCert: forge.pki.certificateToPem(tlsCert),
    tlsKey: forge.pki.privateKeyToPem(serving.privateKey),
    caBundle: Buffer.from(caPem).toString('base64'),
  };
}

// Node generates the keys (fast, native); forge only builds and signs the certificates.
function keyPair() {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey);
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function certificate(o: {
  subject: string;
  publicKey: forge.pki.PublicKey;
  signer: forge.pki.rsa.PrivateKey;
  issuer: forge.pki.Certificate | undefined;
  days: number;
  extensions: object[];
}) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = o.publicKey;
  // A positive serial in minimal DER: a first byte of 01 keeps the integer positive
  // whatever follows. (A leading 0 nibble did not: when the random bytes began with 00,
  // the integer had a padding byte OpenSSL refuses, one certificate in about 256.)
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 5 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + o.days * 24 * 3600 * 1000);
  cert.setSubject([{ name: 'commonName', value: o.subject }]);
  cert.setIssuer(o.issuer ? o.issuer.subject.attributes : [{ name: 'commonName', value: o.subject }]);
  cert.setExtensions([
    ...o.extensions,
    ...(o.issuer
      ? [
          {
            name: 'authorityKeyIdentifier',
            keyIdentifier: o.issuer.generateSubjectKeyIdentifier().getBytes(),
          },
        ]
      : []),
  ]);
  cert.sign(o.signer, forge.md.sha256.create());
  return cert;
}
