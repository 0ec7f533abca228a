import { httpModule as http, httpsModule as https } from './builtins.js';

/**
 * The library functions as they were before the agent patched them. The agent's
 * own traffic (to the control plane) uses these so it is never routed, tagged or
 * counted as the application's.
 */
export const originals = {
  httpRequest: http.request,
  httpsRequest: https.request,
};
