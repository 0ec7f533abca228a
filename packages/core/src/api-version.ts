// Kept apart from the schemas in resources.ts so the runtime entry (the agent)
// can name them without loading zod.
export const API_VERSION = 'graylane.io/v1';
export const DEFAULT_NAMESPACE = 'default';
