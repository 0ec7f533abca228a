import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { readAgentConfig } from './agent-config.js';
import { readTrustedCas } from './trusted-cas.js';

// Any real certificate will do as "the company's CA": the first of Node's roots.
const ca = rootCertificates[0]!;

describe('readTrustedCas', () => {
  it('adds the CA of GRAYLANE_CA, given as a file or as its text, to the roots and the system store', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'graylane-ca-')), 'ca.crt');
    writeFileSync(file, `# our CA\n${ca}\n`);
    const none = readTrustedCas({});
    expect(none.length).toBeGreaterThanOrEqual(rootCertificates.length);
    expect(readTrustedCas({ GRAYLANE_CA: file })).toContain(ca);
    expect(readTrustedCas({ GRAYLANE_CA: ca })).toContain(ca);
  });

  it('refuses a GRAYLANE_CA that cannot be read or holds no certificate, so the agent turns off with a coded message', () => {
    expect(() => readTrustedCas({ GRAYLANE_CA: '/nonexistent/ca.crt' })).toThrow(/GRAYLANE_CA/);
    const env = { GRAYLANE_APP: 'a', GRAYLANE_SERVER: 'https://cp:7070', GRAYLANE_CA: '-----BEGIN nothing' };
    expect(() => readAgentConfig(env)).toThrow(expect.objectContaining({ code: 'GL_AGENT_CONFIG_INVALID' }));
    expect(readAgentConfig({ GRAYLANE_APP: 'a', GRAYLANE_SERVER: 'http://cp:7070' }).ca).toBeUndefined();
  });
});
