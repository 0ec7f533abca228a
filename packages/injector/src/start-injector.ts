import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { GraylaneError, statusOf } from '@graylane/core';
import { type AdmissionReview, admissionResponse, admissionReviewSchema } from './admission-review.js';
import { createPatch, type PatchSettings } from './create-patch.js';
import { decideInjection } from './decide-injection.js';
import type { NamespaceLabels } from './namespace-labels.js';
import { type Pod, podName } from './pod.js';

export interface InjectorOptions extends PatchSettings {
  /** PEM serving certificate and key; the API server checks them against the webhook's caBundle. */
  cert: string | Buffer;
  key: string | Buffer;
  port?: number;
  host?: string;
  /** Reads Namespace labels; without it only the webhook's selectors and pod labels decide. */
  namespaceLabels?: NamespaceLabels;
  /** One line per decision; default: stdout with a `[graylane-injector]` prefix. */
  log?: (line: string) => void;
}

export interface RunningInjector {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 3 * 1024 * 1024;

/**
 * The mutating admission webhook: `POST /mutate` takes an AdmissionReview for a
 * pod and answers it allowed, with the JSONPatch that injects the agent when the
 * pod is onboarded. It never denies: anything unexpected lets the pod through
 * unchanged, with a log line (the configuration's failurePolicy is Ignore too).
 */
export async function startInjector(options: InjectorOptions): Promise<RunningInjector> {
  const log = options.log ?? ((line: string) => console.log(`[graylane-injector] ${line}`));
  let server: Server;
  try {
    server = createServer({ cert: options.cert, key: options.key, minVersion: 'TLSv1.2' });
  } catch (error) {
    throw new GraylaneError(
      'GL_INJECTOR_CERT_INVALID',
      `the serving certificate or key cannot be used (${(error as Error).message}); create them with "graylane injector certs"`,
      { cause: error },
    );
  }
  server.requestTimeout = 10000;
  server.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.method !== 'POST' || path !== '/mutate') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('POST /mutate or GET /healthz');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let review: AdmissionReview;
      try {
        review = admissionReviewSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        log(
          `GL_ADMISSION_REVIEW_INVALID: not an admission.k8s.io/v1 AdmissionReview: ${(error as Error).message}`,
        );
        res
          .writeHead(statusOf('GL_ADMISSION_REVIEW_INVALID'), { 'content-type': 'text/plain' })
          .end('expected an admission.k8s.io/v1 AdmissionReview');
        return;
      }
      answer(review).then(
        (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        (error) => {
          log(
            `skipped a pod (uid ${review.request.uid}): internal error, let through unchanged: ${String(error)}`,
          );
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify(admissionResponse(review.request.uid)));
        },
      );
    });
  });

  async function answer(review: AdmissionReview) {
    const { request } = review;
    const namespace = request.namespace ?? '';
    if (request.kind.kind !== 'Pod' || request.operation !== 'CREATE' || typeof request.object !== 'object') {
      log(`skipped ${request.operation} ${request.kind.kind} in ${namespace}: only pod creation is injected`);
      return admissionResponse(request.uid);
    }
    const pod = request.object as Pod;
    const name = podName(pod, namespace);
    const namespaceLabels = await options.namespaceLabels?.(namespace);
    const decision = decideInjection(pod, namespace, namespaceLabels);
    if (!decision.inject) {
      log(`skipped pod ${name}: ${decision.reason}`);
      return admissionResponse(request.uid);
    }
    const notes = [...decision.notes];
    const patch = createPatch(pod, decision, options, notes);
    log(
      `injected pod ${name}: app ${decision.app}, namespace ${decision.namespace}` +
        (notes.length ? ` (${notes.join('; ')})` : ''),
    );
    return admissionResponse(request.uid, patch);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new GraylaneError('GL_PORT_IN_USE', `port ${options.port} is in use; pick another with --port`, {
              cause: error,
            })
          : error,
      ),
    );
    server.listen(options.port ?? 8443, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${options.host && options.host !== '0.0.0.0' ? options.host : 'localhost'}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
