import { ConfigError, loadConfig } from '../platform';
import { GATEWAY_FEATURES } from '../gateway.features';

const hospital = {
  fixmedinsCode: 'H64010400001',
  name: '宁夏回族自治区人民医院',
  admdvs: '640104',
  creditCode: '126401004540409473',
};

function problems(forms: Record<string, unknown>): string[] {
  try {
    loadConfig({
      features: GATEWAY_FEATURES,
      env: {},
      overrides: { hospital, pii: { keyringFile: '/tmp/none.json' }, forms },
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      return e.message.split('\n').filter((l) => l.includes('forms.'));
    }
    throw e;
  }
  return [];
}

describe('forms config', () => {
  it('defaults: bundled font, storage under the data folder, drafts 30 days, signed forms kept 2 years after the agreement', () => {
    const { config } = loadConfig({
      features: GATEWAY_FEATURES,
      env: {},
      overrides: { hospital, pii: { keyringFile: '/tmp/none.json' } },
    });
    expect(config.forms).toEqual({
      fontPath: '',
      storageDir: '',
      retention: { agreementEndDate: '', keepYearsAfterAgreement: 2, draftDays: 30, intervalMs: 3600000 },
    });
  });

  it('refuses keeping signed forms less than two years after the agreement (协议 23), and a malformed agreement end date', () => {
    const found = problems({ retention: { keepYearsAfterAgreement: 1, agreementEndDate: '2027-13-01' } });
    expect(found.join('\n')).toContain('forms.retention.keepYearsAfterAgreement: 1 — expected at least 2 years');
    expect(found.join('\n')).toContain('forms.retention.agreementEndDate: "2027-13-01" — expected a date YYYY-MM-DD');
    expect(problems({ retention: { keepYearsAfterAgreement: 5, agreementEndDate: '2027-12-31' } })).toEqual([]);
  });
});
