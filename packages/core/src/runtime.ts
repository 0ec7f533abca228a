// The runtime entry, `@graylane/core/runtime`: what deciding lanes and choosing
// instances needs, and nothing that parses or validates documents. The agent loads
// only this, so zod and yaml never enter an app's process (start time, memory);
// RE2 loads when a lane first has a regex condition. The package's main entry
// (index.ts) exports all of this too, plus the schemas and the document parser.
export { API_VERSION, DEFAULT_NAMESPACE } from './api-version.js';
export { type BaselineIgnoreInput, baselineIgnoredTags } from './baseline-ignored-tags.js';
export { compileCondition, compileMatch, type Predicate } from './compile-condition.js';
export {
  byPriority,
  type CompileLanesOptions,
  compileLanes,
  type LaneDecision,
  type LaneMatcher,
} from './compile-lanes.js';
export type { Condition, ConditionSource, MatchGroup, MatchNode, Operator } from './conditions.js';
export {
  applyChange,
  type ConfigChange,
  type ConfigSnapshot,
  emptySnapshot,
  type Instance,
} from './config-snapshot.js';
export {
  type ConsumerPlace,
  consumerPlace,
  type LaneSelection,
  laneSelectionOf,
  type MessageGrayscaleSettings,
  messageGrayscaleSettingsOf,
  messageLane,
  moveConsumer,
  outboundMessageTag,
  reportedGroup,
} from './consumer-place.js';
export { type Balanced, type Balancer, type BalancerOptions, createBalancer } from './create-balancer.js';
export {
  codeOfStatus,
  type ErrorCode,
  errorCodeOf,
  errorCodes,
  errorTable,
  formatError,
  GraylaneError,
  type GraylaneErrorOptions,
  type Issue,
  isGraylaneError,
  statusOf,
} from './graylane-error.js';
export { INSTANCE_LIMITS, type ReportableGroups, reportableGroups } from './instance-limits.js';
export {
  acceptsMessageTag,
  assertPropertyName,
  type ConsumerSelector,
  clientFilter,
  grayConsumerGroup,
  laneExpression,
  type MessageLike,
  messageTagsOf,
  type OwnFilter,
  propertyOf,
  sql92Filter,
  TAG_PROPERTY,
} from './message-grayscale.js';
export {
  createRequestView,
  type HeaderBag,
  parseCookies,
  parseQuery,
  type RequestInit,
  type RequestView,
} from './request-view.js';
export type {
  GatewayRoute,
  GatewayRouteSpec,
  Lane,
  LaneSpec,
  MessageGrayscale,
  MessageGrayscaleSpec,
  Metadata,
  Resource,
  ResourceKind,
} from './resources.js';
export { type Candidates, selectCandidates, type Tagged } from './select-candidates.js';
export { bucketOf, stableHash } from './stable-hash.js';
export {
  assertTag,
  BASELINE_TAG,
  isReservedTag,
  isValidTag,
  metricTag,
  RESERVED_TAG_RULE,
  TAG_PATTERN,
  TAG_RULE,
} from './tag.js';
export { createTagPolicies, defaultTagPolicy, type Fallback, type TagPolicy } from './tag-policy.js';
