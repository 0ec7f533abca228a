import { isIP } from 'node:net';
import {
  INSTANCE_LIMITS,
  isReservedTag,
  nameSchema,
  RESERVED_TAG_RULE,
  TAG_PATTERN,
  TAG_RULE,
} from '@graylane/core';
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);
const ports = z.record(
  z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a port name is a lowercase protocol name'),
  port,
);
// Agents connect to it as given: an IP address or a DNS name, nothing a resolver would
// refuse after every caller has tried it.
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const address = z
  .string()
  .min(1)
  .max(253)
  .refine((a) => isIP(a) !== 0 || HOST_NAME.test(a), {
    message: 'an address is an IPv4 or IPv6 address or a DNS host name',
  });
const consumerGroups = z
  .array(z.string().min(1).max(INSTANCE_LIMITS.groupChars))
  .max(INSTANCE_LIMITS.consumerGroups);

/** The tag check is core's; '' is the baseline. */
export const instanceTagSchema = z
  .string()
  .refine((t) => t === '' || TAG_PATTERN.test(t), { message: `a tag is "" (baseline) or uses ${TAG_RULE}` })
  .refine((t) => !isReservedTag(t), { message: RESERVED_TAG_RULE, params: { code: 'GL_TAG_RESERVED' } });

export const registerBodySchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9._:@-]+$/, 'an instance id uses letters, digits and . _ : @ -'),
  app: nameSchema,
  tag: instanceTagSchema.default(''),
  address,
  ports: ports.default({}),
  protocols: z.array(z.string().min(1).max(32)).max(16).optional(),
  consumerGroups: consumerGroups.optional(),
  metadata: z.record(z.string(), z.string().max(INSTANCE_LIMITS.metadataChars)).optional(),
});

export const heartbeatBodySchema = z.strictObject({
  consumerGroups: consumerGroups.optional(),
  ports: ports.optional(),
});

export type RegisterBody = z.infer<typeof registerBodySchema>;
export type HeartbeatBody = z.infer<typeof heartbeatBodySchema>;

export const laneLeaksBodySchema = z.strictObject({
  instanceId: z.string().min(1).max(253).optional(),
  app: nameSchema,
  /** The tag of the instance the requests reached. */
  tag: instanceTagSchema,
  count: z.number().int().min(1).max(1_000_000_000),
});
