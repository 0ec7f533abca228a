import { z } from 'zod';
import { isReservedTag, RESERVED_TAG_RULE, TAG_PATTERN, TAG_RULE } from './tag.js';

const NAME_PATTERN = /^[a-z0-9]([a-z0-9._-]{0,251}[a-z0-9])?$/;
const NAMESPACE_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const tagSchema = z
  .string()
  .regex(TAG_PATTERN, `a tag uses ${TAG_RULE}`)
  .refine((t) => !isReservedTag(t), { message: RESERVED_TAG_RULE, params: { code: 'GL_TAG_RESERVED' } });
export const nameSchema = z
  .string()
  .regex(
    NAME_PATTERN,
    'a name uses lowercase letters, digits, ".", "-" and "_", and starts and ends with a letter or digit',
  );
export const namespaceSchema = z
  .string()
  .regex(NAMESPACE_PATTERN, 'a namespace uses lowercase letters, digits and "-", at most 63 characters');
