import { describe } from 'vitest';
import { controlPlaneCases } from './control-plane-cases.js';
import { postgresFixture } from './support/store-fixture.js';

describe('control plane on PostgreSQL', () => controlPlaneCases(postgresFixture));
