import { answerOf, SEED } from '../../test/support/identity-fixtures';
import { IdentitySession } from './identity-session.entity';
import { toDoctorViewDto, toSessionDto, toVerdictEvent } from './identity.mapper';

describe('identity mapper', () => {
  const row = Object.assign(new IdentitySession(), {
    id: 's1',
    desk: '门诊挂号1',
    visitId: 'V1',
    visitKind: 'inpatient',
    subjectKey: 'k',
    evidence: 'encrypted',
    verdict: 'MATCH',
    offline: true,
    coverage: 'cached',
    result: JSON.stringify({
      checks: [
        { code: 'ID_NUMBER_MISMATCH', passed: true, message: '一致', evidence: ['card', 'qr'], effect: 'mismatch' },
      ],
      missing: [],
      sources: ['card', 'qr'],
    }),
    token: 'gvt1.x.y',
    tokenExpiresAt: new Date('2026-11-25T02:05:00.000Z'),
    createdBy: 'system:test',
    createdAt: new Date('2026-11-25T02:00:00.000Z'),
    updatedAt: new Date('2026-11-25T02:00:01.000Z'),
    expiresAt: new Date('2026-11-26T02:00:00.000Z'),
  });

  it('maps a session row to the SessionDto once: verdict, checks, sources, token, ISO instants — never the evidence', () => {
    const dto = toSessionDto(row);
    expect(dto).toEqual({
      id: 's1',
      desk: '门诊挂号1',
      visitId: 'V1',
      visitKind: 'inpatient',
      verdict: 'MATCH',
      offline: true,
      coverage: 'cached',
      checks: [
        { code: 'ID_NUMBER_MISMATCH', passed: true, message: '一致', evidence: ['card', 'qr'], effect: 'mismatch' },
      ],
      missing: [],
      sources: ['card', 'qr'],
      token: 'gvt1.x.y',
      tokenExpiresAt: '2026-11-25T02:05:00.000Z',
      updatedAt: '2026-11-25T02:00:01.000Z',
    });
    expect(JSON.stringify(dto)).not.toContain('encrypted');
  });

  it('pushes the verdict to the desk with codes and messages only', () => {
    const event = toVerdictEvent(toSessionDto(row));
    expect(event).toEqual({
      type: 'verdict',
      deviceId: 'identity',
      desk: '门诊挂号1',
      verdict: {
        sessionId: 's1',
        visitId: 'V1',
        verdict: 'MATCH',
        offline: true,
        coverage: 'cached',
        checks: [{ code: 'ID_NUMBER_MISMATCH', passed: true, message: '一致' }],
        missing: [],
        token: 'gvt1.x.y',
        tokenExpiresAt: '2026-11-25T02:05:00.000Z',
        at: new Date('2026-11-25T02:00:01.000Z'),
      },
    });
  });

  it('maps the insurer answer to the doctor view', () => {
    const answer = answerOf(SEED.retiredDisease);
    const view = toDoctorViewDto(answer, 'coverageCache', { sessionId: 's1', visitId: 'V1' });
    expect(view).toMatchObject({
      name: answer.baseinfo.psn_name,
      sessionId: 's1',
      visitId: 'V1',
      psnNo: answer.baseinfo.psn_no,
      psnType: answer.insuinfo.psn_type,
      injuredParts: answer.injury.injured_parts,
      occupationalDisease: answer.injury.occupational_disease,
      category: answer.injury.occupational_disease ? 'occupational-disease' : 'injury',
      coverageSource: 'coverageCache',
    });
    expect(Object.keys(view)).not.toContain('idNumber');
  });
});
