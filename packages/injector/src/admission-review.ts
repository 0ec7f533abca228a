import { z } from 'zod';
import type { PatchOperation } from './pod.js';

/** An `admission.k8s.io/v1` AdmissionReview as the API server sends it; fields we do not read pass through. */
export const admissionReviewSchema = z.object({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  request: z.looseObject({
    uid: z.string().min(1),
    kind: z.looseObject({ group: z.string(), version: z.string(), kind: z.string() }),
    operation: z.string(),
    namespace: z.string().optional(),
    object: z.unknown().optional(),
    dryRun: z.boolean().optional(),
  }),
});

export type AdmissionReview = z.infer<typeof admissionReviewSchema>;

/** The answer: always allowed (the injector never blocks a pod), with a patch when it changed something. */
export function admissionResponse(uid: string, patch?: PatchOperation[]) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response:
      patch === undefined
        ? { uid, allowed: true }
        : {
            uid,
            allowed: true,
            patchType: 'JSONPatch',
            patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
          },
  };
}
