import type { GatewayConfig } from '../../platform';
import { AUDIT_RESULTS_PART } from './audit-results.feature';

describe('the auditResults config check', () => {
  const config = (near: number, every: number) =>
    ({ auditResults: { nearDueCheckIntervalHours: near, checkIntervalHours: every } }) as unknown as GatewayConfig;

  it('refuses asking less often near the due day than before it', () => {
    expect(AUDIT_RESULTS_PART.checkConfig(config(6, 24))).toEqual({ issues: [], warnings: [] });
    expect(AUDIT_RESULTS_PART.checkConfig(config(24, 24)).issues).toEqual([]);
    expect(AUDIT_RESULTS_PART.checkConfig(config(48, 24)).issues).toEqual([
      expect.objectContaining({ key: 'auditResults.nearDueCheckIntervalHours', value: 48 }),
    ]);
  });
});
