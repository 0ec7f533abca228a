import { describe, expect, it } from 'vitest';
import { laneLeakWarning } from './lane-leak-warning.js';

describe('lane leak warning', () => {
  it('says how many requests leaked into which instances, and what to do', () => {
    const text = laneLeakWarning({ gray: 3, canary: 1 });
    expect(text).toMatch(/^1 request reached "canary" instances; 3 requests reached "gray" instances/);
    expect(text).toContain('GL_LANE_LEAK');
    expect(text).toContain('select only baseline pods');
  });

  it('says nothing without leaks', () => {
    expect(laneLeakWarning(undefined)).toBeUndefined();
    expect(laneLeakWarning({ gray: 0 })).toBeUndefined();
  });
});
