import { describe } from 'vitest';
import { controlPlaneCases } from './control-plane-cases.js';
import { sqliteFixture } from './support/store-fixture.js';

describe('control plane on SQLite', () => controlPlaneCases(sqliteFixture));
