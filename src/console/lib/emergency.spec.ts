import { beijingTime, emergencyOf, type HealthBody } from './emergency';

describe(emergencyOf.name, () => {
  const health = (upstream: Record<string, unknown> | undefined): HealthBody => ({
    status: 'degraded',
    mode: 'sandbox',
    components: upstream ? { upstream: { status: 'degraded', ...upstream } } : {},
  });

  it('reads emergency mode and since when from the upstream component of /health', () => {
    expect(emergencyOf(health({ mode: 'emergency', unreachableSince: '2026-12-03T02:00:00.000Z' }))).toEqual({
      emergency: true,
      unreachableSince: '2026-12-03T02:00:00.000Z',
    });
    expect(emergencyOf(health({ mode: 'normal', unreachableSince: null }))).toEqual({
      emergency: false,
      unreachableSince: null,
    });
    expect(emergencyOf(health(undefined)).emergency).toBe(false);
  });

  it('writes times in Beijing time', () => {
    expect(beijingTime('2026-12-03T17:05:00.000Z')).toBe('2026-12-04 01:05');
  });
});
