// The main entry: everything in runtime.ts (the agent imports only that) plus the
// resource schemas and the YAML/JSON document parser, for the control plane, CLI and console.
export { type BaselineIgnoreInput, baselineIgnoredTags } from './baseline-ignored-tags.js';
export { compileCondition, compileMatch, type Predicate } from './compile-condition.js';
export {
  byPriority,
  type CompileLanesOptions,
  compileLanes,
  type LaneDecision,
  type LaneMatcher,
} from './compile-lanes.js';
export {
  type Condition,
  type ConditionSource,
  conditionSources,
  type MatchGroup,
  type MatchNode,
  type Operator,
  operators,
} from './conditions.js';
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
export { documentLimits, isWellFormed, shapeIssue } from './document-limits.js';
export { DURATION_RULE, parseDuration } from './duration.js';
export { effectiveLane } from './effective-lane.js';
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
export { type AppFigures, judgeAnalysis, type QueryResult } from './judge-analysis.js';
export { laneEntryIssues } from './lane-entry-issues.js';
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
export { type ParseOptions, parseDocuments, parseResource, validateResource } from './parse-documents.js';
export {
  createRequestView,
  type HeaderBag,
  parseCookies,
  parseQuery,
  type RequestInit,
  type RequestView,
} from './request-view.js';
export {
  API_VERSION,
  DEFAULT_NAMESPACE,
  type GatewayRoute,
  type GatewayRouteSpec,
  gatewayRouteSchema,
  type Lane,
  type LaneSpec,
  laneSchema,
  type MessageGrayscale,
  type MessageGrayscaleSpec,
  type Metadata,
  messageGrayscaleSchema,
  nameSchema,
  namespaceSchema,
  type Resource,
  type ResourceKind,
  type Rollout,
  type RoutingResource,
  resourceKinds,
  resourceSchemas,
  rolloutSchema,
  tagSchema,
} from './resources.js';
export {
  type AnalysisRun,
  type Figures,
  type MetricResult,
  type RolloutAnalysis,
  type RolloutMetric,
  type RolloutPhase,
  type RolloutSpec,
  type RolloutStatus,
  type RolloutStep,
  rolloutPhases,
  rolloutSpecSchema,
  type Verdict,
} from './rollout.js';
export {
  abortRollout,
  actOn,
  KEPT_RUNS,
  nextWindow,
  progress,
  type RolloutAction,
  recordRun,
  rolloutActions,
  skipStaleWindows,
  startRollout,
} from './rollout-machine.js';
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
