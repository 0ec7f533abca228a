export { type AdmissionReview, admissionResponse, admissionReviewSchema } from './admission-review.js';
export { type BundledPackage, bundleAgent } from './bundle-agent.js';
export { type CertificateOptions, type Certificates, createCertificates } from './create-certificates.js';
export { createPatch, ORIGINAL_NODE_OPTIONS, type PatchSettings, type PatchTarget } from './create-patch.js';
export { type Decision, decideInjection } from './decide-injection.js';
export * from './injector-labels.js';
export {
  createNamespaceLabels,
  type NamespaceLabels,
  type NamespaceLabelsOptions,
} from './namespace-labels.js';
export type { Container, EnvVar, PatchOperation, Pod } from './pod.js';
export { type InjectorOptions, type RunningInjector, startInjector } from './start-injector.js';
