import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GraylaneError } from '@graylane/core';
import { bundleAgent, createCertificates, createNamespaceLabels, startInjector } from '@graylane/injector';
import { parseFlags, usageError } from '../command-failure.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane injector [serve] [options]
       graylane injector certs [--service S] [--namespace NS] [--out DIR]
       graylane injector bundle --out DIR

serve (default): the mutating admission webhook that puts the Graylane agent into
every new pod of a namespace labelled graylane.io/inject=enabled, or of a pod
labelled graylane.io/inject: "true" (see docs/kubernetes.md).
  --port N              HTTPS port (default 8443)
  --host H              interface (default: all)
  --cert FILE           PEM serving certificate (default /tls/tls.crt)
  --key FILE            PEM key (default /tls/tls.key)
  --server URL          GRAYLANE_SERVER given to the pods (env GRAYLANE_SERVER)
  --agent-image IMAGE   image with the agent in /agent (default graylane/agent:0.1.0)
  --token-secret NAME   Secret in the pod's namespace whose key "token" becomes
                        GRAYLANE_TOKEN (optional in the pod); "{app}" in NAME
                        is replaced by the pod's app: one agent token per app

certs: a CA and a serving certificate for the webhook's Service; writes tls.crt,
tls.key and ca.crt to DIR and prints the caBundle and the kubectl commands.
  --service S           Service name (default graylane-injector)
  --namespace NS        its namespace (default graylane-system)
  --out DIR             output folder (default ./injector-certs)
  --name N              another DNS name or IP the certificate covers (repeatable)
  --days N              validity of the serving certificate (default 730)

bundle: copies the agent with its dependencies into DIR, laid out as the agent
image holds it in /agent (the image's build stage runs this).`;

function parse(args: string[]) {
  return parseFlags(USAGE, {
    args,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      port: { type: 'string', default: '8443' },
      host: { type: 'string' },
      cert: { type: 'string', default: '/tls/tls.crt' },
      key: { type: 'string', default: '/tls/tls.key' },
      server: { type: 'string' },
      'agent-image': { type: 'string', default: 'graylane/agent:0.1.0' },
      'token-secret': { type: 'string' },
      service: { type: 'string', default: 'graylane-injector' },
      namespace: { type: 'string', default: 'graylane-system' },
      out: { type: 'string' },
      name: { type: 'string', multiple: true },
      days: { type: 'string', default: '730' },
    },
  });
}

const injector: Command = async (args) => {
  const { values, positionals } = parse(args);
  const sub = positionals[0] ?? 'serve';
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (sub === 'certs') return certs(values);
  if (sub === 'bundle') {
    if (!values.out) throw usageError('bundle: --out DIR is required', USAGE);
    const packages = bundleAgent(resolve(values.out));
    console.log(
      `agent bundled in ${values.out}: ${packages.map((p) => `${p.name}@${p.version}`).join(', ')}`,
    );
    return 0;
  }
  if (sub === 'serve') return await serve(values);
  throw usageError(`unknown subcommand "${sub}"`, USAGE);
};

function certs(values: ReturnType<typeof parse>['values']): number {
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1) {
    throw usageError(`certs: --days ${values.days} is not a number of days`, USAGE);
  }
  const out = resolve(values.out ?? 'injector-certs');
  const made = createCertificates({
    service: values.service,
    namespace: values.namespace,
    extraNames: values.name ?? [],
    days,
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'tls.crt'), made.tlsCert);
  writeFileSync(join(out, 'tls.key'), made.tlsKey, { mode: 0o600 });
  writeFileSync(join(out, 'ca.crt'), made.caCert);
  const patch = JSON.stringify(
    [0, 1].map((i) => ({ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: made.caBundle })),
  );
  console.log(`wrote ${join(out, 'tls.crt')}, tls.key and ca.crt for ${values.service}.${values.namespace}.svc

caBundle:
${made.caBundle}

kubectl -n ${values.namespace} create secret tls ${values.service}-tls --cert=${join(out, 'tls.crt')} --key=${join(out, 'tls.key')}
kubectl patch mutatingwebhookconfiguration ${values.service} --type=json -p '${patch}'`);
  return 0;
}

async function serve(values: ReturnType<typeof parse>['values']): Promise<number> {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(`--port ${values.port} is not a port number`, USAGE);
  }
  const server = values.server ?? process.env.GRAYLANE_SERVER;
  if (!server || !/^https?:\/\//.test(server)) {
    throw usageError('--server URL (the control plane the pods use) is required', USAGE);
  }
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(values.cert);
    key = readFileSync(values.key);
  } catch (error) {
    throw new GraylaneError(
      'GL_INJECTOR_CERT_INVALID',
      `cannot read --cert ${values.cert} / --key ${values.key}: ${(error as Error).message}; create them with "graylane injector certs"`,
      { cause: error },
    );
  }
  const log = (line: string) => console.log(`[graylane-injector] ${line}`);
  const running = await startInjector({
    cert,
    key,
    port,
    host: values.host,
    server: server.replace(/\/+$/, ''),
    agentImage: values['agent-image'],
    tokenSecret: values['token-secret'],
    namespaceLabels: createNamespaceLabels({ log }),
    log,
  });
  log(
    `listening on https port ${running.port}: pods get the agent from ${values['agent-image']} and GRAYLANE_SERVER=${server}`,
  );
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      running.close().then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

export default injector;
