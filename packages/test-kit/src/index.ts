export {
  ADMIN_TOKEN,
  type ControlPlane,
  type ControlPlaneOptions,
  type RegisteredInstance,
  startControlPlane,
} from './control-plane.js';
export { gatewayRoute, lane } from './documents.js';
export {
  HOP_K8S_NAMESPACE,
  type HopAdapter,
  type HopAnswer,
  type HopCaller,
  type HopContext,
  type HopSuiteOptions,
  runHopSuite,
} from './hop-cases.js';
export { HOP_SERVICE, type Service, type ServiceOptions, startService } from './start-service.js';
export { type Routable, waitFor, waitUntilRoutable } from './wait-for.js';
