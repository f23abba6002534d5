import fc from 'fast-check';
import { CHECK_CODES, CHECK_EFFECTS, type CheckCode, type CheckEffect, type CheckResult } from './checks';
import type { InsurerEvidence, QrEvidence, SessionEvidence } from './evidence';
import { nameKey, normalizeName } from './normalize';
import {
  CONTEXT,
  HOUR,
  PEOPLE,
  SEED,
  UNREACHABLE,
  ago,
  cached,
  cardRead,
  hisIdentity,
  idCardRead,
  insurerAnswer,
  lockedCardRead,
  NOW,
  qrAnswer,
  qrDecoded,
  staffConfirmed,
  type SeedPerson,
} from '../../../test/support/identity-fixtures';
import { decideVerdict, evaluate, type EvaluationContext, type MissingItem, type Verdict } from './verdict';

const CJK = /[\u4e00-\u9fff]/;

function run(evidence: SessionEvidence, context: Partial<EvaluationContext> = {}): Verdict {
  const v = evaluate(evidence, { ...CONTEXT, ...context });
  expectNoPersonalData(v);
  return v;
}

function failed(v: Verdict): CheckCode[] {
  return v.checks.filter((c) => !c.passed).map((c) => c.code);
}

function check(v: Verdict, code: CheckCode): CheckResult | undefined {
  return v.checks.find((c) => c.code === code);
}

function missing(v: Verdict): string[] {
  return v.missing.map((m) => m.code);
}

/** No message shows any seed person's name, ID number or card number, in any spelling. */
const PERSONAL_DATA = PEOPLE.flatMap((p) => [
  p.certno,
  p.certno.slice(0, 17),
  p.psn_name,
  normalizeName(p.psn_name),
  nameKey(p.psn_name),
  p.card.card_sn,
  p.card.card_no,
]);

function expectNoPersonalData(v: Verdict): void {
  const texts = [...v.checks.map((c) => c.message), ...v.missing.map((m) => m.message)];
  expect(texts.filter((t) => !CJK.test(t))).toEqual([]);
  const leaks = texts.flatMap((t) =>
    PERSONAL_DATA.filter((secret) => t.includes(secret)).map((secret) => `${secret} in ${t}`),
  );
  expect(leaks).toEqual([]);
}

/** Card + ID card + the insurer's answer: the usual desk evidence for one person. */
function usual(p: SeedPerson): SessionEvidence {
  return { card: cardRead(p), idCard: idCardRead(p), insurer: insurerAnswer(p) };
}

describe('evaluate: MATCH', () => {
  it('card, ID card and insurer answer of the default patient, outpatient at his signed hospital', () => {
    const v = run(usual(SEED.activeFingers));
    expect(v).toMatchObject({
      verdict: 'MATCH',
      offline: false,
      coverage: 'confirmed',
      missing: [],
      subject: { idNumber: '640104198503120319', name: '马建国' },
      credentials: ['card'],
      persons: ['idCard'],
      evaluatedAt: NOW,
    });
    expect(failed(v)).toEqual([]);
    expect(v.checks.map((c) => c.code)).toEqual([
      'ID_NUMBER_INVALID',
      'ID_NUMBER_INVALID',
      'ID_NUMBER_INVALID',
      'ID_NUMBER_MISMATCH',
      'NAME_MISMATCH',
      'CARD_AUTH_REQUIRED',
      'CARD_EXPIRED',
      'CARD_SN_MISMATCH',
      'CARD_LOST',
      'ID_CARD_EXPIRED',
      'COVERAGE_PENDING',
      'NOT_INSURED',
      'NO_DETERMINATION',
      'DETERMINATION_PENDING',
      'NOT_SIGNED_HERE',
    ]);
  });

  it('QR code and staff confirmation are enough; so are QR code and the HIS identity', () => {
    expect(
      run({ qr: qrDecoded(SEED.activeFingers), staff: staffConfirmed(), insurer: insurerAnswer(SEED.activeFingers) }),
    ).toMatchObject({
      verdict: 'MATCH',
      credentials: ['qr'],
      persons: ['staff'],
    });
    expect(
      run({
        qr: qrDecoded(SEED.activeFingers),
        his: hisIdentity(SEED.activeFingers),
        insurer: insurerAnswer(SEED.activeFingers),
      }).verdict,
    ).toBe('MATCH');
  });

  it('a minority name written with different dots, spaces or none at all in each source', () => {
    const p = SEED.dotName;
    const v = run({
      card: cardRead(p, { name: '买买提·艾力' }),
      qr: {
        kind: 'decoded',
        answer: { ...qrAnswer(p, new Date(NOW.getTime() + 30_000)), psn_name: '买买提・艾力' },
        at: NOW,
      },
      idCard: idCardRead(p, { name: '买买提•艾力          ' }),
      his: hisIdentity(p, { name: '买买提 艾力' }),
      insurer: insurerAnswer(p, (a) => ({ ...a, baseinfo: { ...a.baseinfo, psn_name: '买买提艾力' } })),
    });
    expect(v).toMatchObject({ verdict: 'MATCH', subject: { name: '买买提艾力' } });
    expect(check(v, 'NAME_MISMATCH')).toMatchObject({
      passed: true,
      evidence: ['card', 'qr', 'idCard', 'his', 'insurer'],
    });
  });

  it('rare characters (禤䶮) and an ID number ending in X typed in lower case, full width or 15 digits', () => {
    expect(run(usual(SEED.rareName)).verdict).toBe('MATCH');
    const p = SEED.oldInjury;
    for (const typed of ['64030219680415022x', '６４０３０２１９６８０４１５０２２Ｘ', '640302680415022']) {
      const v = run({ ...usual(p), his: hisIdentity(p, { idNumber: typed }) });
      expect(v).toMatchObject({ verdict: 'MATCH', subject: { idNumber: '64030219680415022X' } });
    }
  });

  it('inpatient care is not bound to signed institutions', () => {
    expect(run(usual(SEED.threeSigned), { visitKind: 'inpatient' }).verdict).toBe('MATCH');
  });

  it('a cross-province worker with a valid filing, outpatient, without signing here', () => {
    const v = run(usual(SEED.crossWithFiling));
    expect(v.verdict).toBe('MATCH');
    expect(check(v, 'NOT_SIGNED_HERE')).toBeUndefined();
  });

  it('a worker whose card is lost can still come with the QR code (the lost card is not presented)', () => {
    expect(
      run({ qr: qrDecoded(SEED.lostCard), idCard: idCardRead(SEED.lostCard), insurer: insurerAnswer(SEED.lostCard) })
        .verdict,
    ).toBe('MATCH');
  });
});

describe('evaluate: MISMATCH (without showing the other person)', () => {
  it('ID_NUMBER_MISMATCH: one person’s card, another person’s ID card', () => {
    const v = run({
      card: cardRead(SEED.activeFingers),
      idCard: idCardRead(SEED.dotName),
      insurer: insurerAnswer(SEED.activeFingers),
    });
    expect(v.verdict).toBe('MISMATCH');
    expect(failed(v)).toContain('ID_NUMBER_MISMATCH');
    expect(failed(v)).toContain('NAME_MISMATCH');
    expect(check(v, 'ID_NUMBER_MISMATCH')?.message).toBe(
      '社保卡、经办机构信息 与 身份证的身份证号码不一致：人、卡、码不符，拒绝记账，请核实就诊人身份',
    );
    expect(v.subject).toBeUndefined();
    // no coverage is evaluated for an unresolved identity
    expect(v.coverage).toBe('pending');
    expect(check(v, 'NOT_INSURED')).toBeUndefined();
    expect(check(v, 'COVERAGE_PENDING')).toMatchObject({ passed: false });
  });

  it('NAME_MISMATCH: same ID number, HIS registered a different name', () => {
    const v = run({ ...usual(SEED.activeFingers), his: hisIdentity(SEED.activeFingers, { name: '马建军' }) });
    expect(v.verdict).toBe('MISMATCH');
    expect(failed(v)).toEqual(['NAME_MISMATCH', 'COVERAGE_PENDING']);
    expect(check(v, 'NAME_MISMATCH')?.message).toContain('HIS登记信息');
  });

  it('ID_NUMBER_INVALID: HIS registered a number with a wrong check character', () => {
    const v = run({
      ...usual(SEED.activeFingers),
      his: hisIdentity(SEED.activeFingers, { idNumber: '640104198503120318' }),
    });
    expect(v.verdict).toBe('MISMATCH');
    expect(check(v, 'ID_NUMBER_INVALID')?.passed).toBe(true);
    expect(v.checks.filter((c) => c.code === 'ID_NUMBER_INVALID' && !c.passed).map((c) => c.evidence)).toEqual([
      ['his'],
    ]);
  });

  it('QR code of one person with the card of another, read only in public (insurer asked by card)', () => {
    const v = run({
      card: lockedCardRead(SEED.activeFingers),
      qr: qrDecoded(SEED.rareName),
      staff: staffConfirmed(),
      insurer: insurerAnswer(SEED.activeFingers),
    });
    expect(v.verdict).toBe('MISMATCH');
    expect(check(v, 'ID_NUMBER_MISMATCH')?.message).toBe(
      '二维码 与 经办机构信息的身份证号码不一致：人、卡、码不符，拒绝记账，请核实就诊人身份',
    );
  });

  it('CARD_SN_MISMATCH: the right person’s data on a card that is not his current card', () => {
    const v = run({
      ...usual(SEED.activeFingers),
      card: cardRead(SEED.activeFingers, { cardSn: '640100D15600000500FFFFFFFFFFFFFF' }),
    });
    expect(v.verdict).toBe('MISMATCH');
    expect(failed(v)).toEqual(['CARD_SN_MISMATCH']);
    expect(check(v, 'CARD_LOST')).toBeUndefined();
  });

  it('CARD_LOST: the insurer reports the presented card lost', () => {
    const v = run(usual(SEED.lostCard));
    expect(v).toMatchObject({ verdict: 'MISMATCH', coverage: 'confirmed' });
    expect(failed(v)).toEqual(['CARD_LOST']);
  });

  it('INSURER_PERSON_CARD_MISMATCH and INSURER_NAME_MISMATCH: the insurer’s own refusals', () => {
    for (const [reason, code] of [
      ['person-card-mismatch', 'INSURER_PERSON_CARD_MISMATCH'],
      ['name-mismatch', 'INSURER_NAME_MISMATCH'],
    ] as const) {
      const v = run({
        card: cardRead(SEED.activeFingers),
        idCard: idCardRead(SEED.activeFingers),
        insurer: { kind: 'refused', reason, at: NOW },
      });
      expect(v).toMatchObject({ verdict: 'MISMATCH', coverage: 'pending' });
      expect(failed(v)).toEqual([code]);
      expect(v.subject).toBeUndefined();
    }
  });
});

describe('evaluate: NOT_COVERED', () => {
  it('NOT_INSURED (and no determination either)', () => {
    const v = run(usual(SEED.uninsured), { visitKind: 'inpatient' });
    expect(v).toMatchObject({
      verdict: 'NOT_COVERED',
      coverage: 'confirmed',
      subject: { idNumber: SEED.uninsured.certno },
    });
    expect(failed(v)).toEqual(['NOT_INSURED', 'NO_DETERMINATION']);
  });

  it('NO_DETERMINATION', () => {
    const v = run({
      ...usual(SEED.activeFingers),
      insurer: insurerAnswer(SEED.activeFingers, (a) => ({ ...a, injury: { ...a.injury, status: 'none' } })),
    });
    expect(v.verdict).toBe('NOT_COVERED');
    expect(failed(v)).toEqual(['NO_DETERMINATION']);
  });

  it('DETERMINATION_PENDING (inpatient, so signing does not apply)', () => {
    const v = run(usual(SEED.pending), { visitKind: 'inpatient' });
    expect(v.verdict).toBe('NOT_COVERED');
    expect(failed(v)).toEqual(['DETERMINATION_PENDING']);
    expect(check(v, 'DETERMINATION_PENDING')?.message).toContain('自费转工伤');
  });

  it('NOT_SIGNED_HERE: outpatient at a hospital that is not among the worker’s three', () => {
    const v = run(usual(SEED.threeSigned));
    expect(v.verdict).toBe('NOT_COVERED');
    expect(failed(v)).toEqual(['NOT_SIGNED_HERE']);
  });

  it('CROSS_PROVINCE_NO_FILING', () => {
    const v = run(usual(SEED.crossNoFiling));
    expect(v.verdict).toBe('NOT_COVERED');
    expect(failed(v)).toEqual(['CROSS_PROVINCE_NO_FILING']);
  });

  it('CROSS_PROVINCE_FILING_NOT_VALID: the filing ended before today', () => {
    const v = run({
      ...usual(SEED.crossWithFiling),
      insurer: insurerAnswer(SEED.crossWithFiling, (a) => ({
        ...a,
        cross_province: a.cross_province && {
          ...a.cross_province,
          filing: { filing_no: 'BA1', valid_from: '2026-01-01', valid_to: '2026-11-24' },
        },
      })),
    });
    expect(v.verdict).toBe('NOT_COVERED');
    expect(failed(v)).toEqual(['CROSS_PROVINCE_FILING_NOT_VALID']);
  });

  it('INSURER_PERSON_UNKNOWN: the insurer does not know the person', () => {
    const v = run({
      card: cardRead(SEED.activeFingers),
      idCard: idCardRead(SEED.activeFingers),
      insurer: { kind: 'refused', reason: 'unknown-person', at: NOW },
    });
    expect(v).toMatchObject({ verdict: 'NOT_COVERED', coverage: 'confirmed', missing: [] });
    expect(failed(v)).toEqual(['INSURER_PERSON_UNKNOWN']);
  });
});

describe('evaluate: INCOMPLETE', () => {
  it('nothing yet: needs a credential, a person and coverage', () => {
    const v = run({});
    expect(v).toMatchObject({
      verdict: 'INCOMPLETE',
      offline: false,
      coverage: 'pending',
      checks: [{ code: 'COVERAGE_NOT_QUERIED', passed: false }],
    });
    expect(missing(v)).toEqual(['NEED_CREDENTIAL', 'NEED_PERSON', 'NEED_COVERAGE']);
    expect(v.subject).toBeUndefined();
  });

  it('COVERAGE_NOT_QUERIED: card and ID card agree, the insurer has not answered yet (a cache is not used online)', () => {
    const v = run({
      card: cardRead(SEED.activeFingers),
      idCard: idCardRead(SEED.activeFingers),
      coverageCache: cached(SEED.activeFingers, HOUR),
    });
    expect(v).toMatchObject({
      verdict: 'INCOMPLETE',
      coverage: 'pending',
      subject: { idNumber: SEED.activeFingers.certno },
    });
    expect(failed(v)).toEqual(['COVERAGE_NOT_QUERIED']);
    expect(missing(v)).toEqual(['NEED_COVERAGE']);
  });

  it('INSURER_REFUSED: any other refusal leaves coverage unknown', () => {
    const v = run({
      card: cardRead(SEED.activeFingers),
      idCard: idCardRead(SEED.activeFingers),
      insurer: { kind: 'refused', reason: 'other', at: NOW },
    });
    expect(v).toMatchObject({ verdict: 'INCOMPLETE', coverage: 'pending' });
    expect(failed(v)).toEqual(['INSURER_REFUSED']);
  });

  it('a person but no credential: the card only; then no person: the QR code only', () => {
    const noPerson = run({ card: cardRead(SEED.activeFingers), insurer: insurerAnswer(SEED.activeFingers) });
    expect(noPerson.verdict).toBe('INCOMPLETE');
    expect(missing(noPerson)).toEqual(['NEED_PERSON']);
    const noCredential = run({ idCard: idCardRead(SEED.activeFingers), insurer: insurerAnswer(SEED.activeFingers) });
    expect(missing(noCredential)).toEqual(['NEED_CREDENTIAL']);
  });

  it('CARD_AUTH_REQUIRED: a 3rd-generation card read without the HSM is no credential until a QR code comes', () => {
    const p = SEED.activeFingers;
    const v = run({ card: lockedCardRead(p), idCard: idCardRead(p), insurer: insurerAnswer(p) });
    expect(v.verdict).toBe('INCOMPLETE');
    expect(failed(v)).toEqual(['CARD_AUTH_REQUIRED']);
    expect(missing(v)).toEqual(['NEED_CREDENTIAL']);
    const withQr = run({ card: lockedCardRead(p), qr: qrDecoded(p), idCard: idCardRead(p), insurer: insurerAnswer(p) });
    expect(withQr).toMatchObject({ verdict: 'MATCH', credentials: ['qr'] });
    expect(failed(withQr)).toEqual(['CARD_AUTH_REQUIRED']);
  });

  it('CARD_EXPIRED: an expired card is no credential; with a valid QR code the verdict is MATCH', () => {
    const p = SEED.expiredCard;
    const v = run(usual(p));
    expect(v.verdict).toBe('INCOMPLETE');
    expect(failed(v)).toEqual(['CARD_EXPIRED']);
    expect(check(v, 'CARD_EXPIRED')?.evidence).toEqual(['card', 'insurer']);
    const withQr = run({ ...usual(p), qr: qrDecoded(p) });
    expect(withQr).toMatchObject({ verdict: 'MATCH', credentials: ['qr'] });
  });

  it('QR_EXPIRED, QR_INVALID: the QR code is no credential', () => {
    const p = SEED.activeFingers;
    const base = { idCard: idCardRead(p), insurer: insurerAnswer(p) };
    // Already past its expire_time when decoded (a code live when decoded stays a credential, see checks.spec).
    const expired: QrEvidence = { kind: 'decoded', answer: qrAnswer(p, ago(62_000)), at: ago(61_000) };
    for (const [qr, code] of [
      [expired, 'QR_EXPIRED'],
      [{ kind: 'refused', reason: 'expired', at: NOW }, 'QR_EXPIRED'],
      [{ kind: 'refused', reason: 'invalid', at: NOW }, 'QR_INVALID'],
    ] as const) {
      const v = run({ ...base, qr });
      expect(v.verdict).toBe('INCOMPLETE');
      expect(failed(v)).toEqual([code]);
      expect(missing(v)).toEqual(['NEED_CREDENTIAL']);
    }
  });

  it('ID_CARD_EXPIRED: an expired ID card is no person evidence; staff confirmation then is', () => {
    const p = SEED.activeFingers;
    const v = run({ ...usual(p), idCard: idCardRead(p, { validTo: '2026-11-24' }) });
    expect(v.verdict).toBe('INCOMPLETE');
    expect(failed(v)).toEqual(['ID_CARD_EXPIRED']);
    expect(missing(v)).toEqual(['NEED_PERSON']);
    expect(run({ ...usual(p), idCard: idCardRead(p, { validTo: '长期' }) }).verdict).toBe('MATCH');
    expect(
      run({ ...usual(p), idCard: idCardRead(p, { validTo: '2026-11-24' }), staff: staffConfirmed() }).verdict,
    ).toBe('MATCH');
  });

  it('STAFF_CONFIRMATION_INVALID: a confirmation without who is no person evidence', () => {
    const p = SEED.activeFingers;
    const v = run({ card: cardRead(p), staff: staffConfirmed({ staffName: ' ' }), insurer: insurerAnswer(p) });
    expect(v.verdict).toBe('INCOMPLETE');
    expect(failed(v)).toEqual(['STAFF_CONFIRMATION_INVALID']);
  });
});

describe('evaluate: offline', () => {
  const p = SEED.activeFingers;
  const local = { card: cardRead(p), idCard: idCardRead(p), insurer: UNREACHABLE };

  it('MATCH with a cache within the permitted age, marked offline and cached', () => {
    const v = run({ ...local, coverageCache: cached(p, 3 * HOUR) });
    expect(v).toMatchObject({ verdict: 'MATCH', offline: true, coverage: 'cached' });
    expect(check(v, 'COVERAGE_PENDING')).toMatchObject({ passed: true, evidence: ['coverageCache'] });
    expect(check(v, 'COVERAGE_PENDING')?.message).toContain('3小时前');
    expect(check(v, 'NOT_SIGNED_HERE')).toMatchObject({ passed: true, evidence: ['coverageCache'] });
    // exactly at the limit is still within it
    expect(run({ ...local, coverageCache: cached(p, 24 * HOUR) }).coverage).toBe('cached');
  });

  it('COVERAGE_PENDING → INCOMPLETE: no cache, a stale one, another person’s, one dated in the future, or a bad limit', () => {
    const cases: [SessionEvidence, Partial<EvaluationContext>][] = [
      [local, {}],
      [{ ...local, coverageCache: cached(p, 24 * HOUR + 1) }, {}],
      [{ ...local, coverageCache: cached(SEED.dotName, HOUR) }, {}],
      [{ ...local, coverageCache: cached(p, -HOUR) }, {}],
      [{ ...local, coverageCache: { answer: cached(p, 0).answer, fetchedAt: new Date(Number.NaN) } }, {}],
      [{ ...local, coverageCache: cached(p, HOUR) }, { maxCoverageCacheAgeMs: Number.NaN }],
    ];
    for (const [evidence, ctx] of cases) {
      const v = run(evidence, ctx);
      expect(v).toMatchObject({ verdict: 'INCOMPLETE', offline: true, coverage: 'pending' });
      expect(failed(v)).toEqual(['COVERAGE_PENDING']);
      expect(missing(v)).toEqual(['NEED_COVERAGE']);
    }
  });

  it('a cache is used only for the person the local evidence establishes', () => {
    // only staff confirmation and an unauthenticated card: no ID number known, the cache cannot be tied to anyone
    const v = run({
      card: lockedCardRead(p),
      staff: staffConfirmed(),
      insurer: UNREACHABLE,
      coverageCache: cached(p, HOUR),
    });
    expect(v).toMatchObject({ verdict: 'INCOMPLETE', offline: true, coverage: 'pending' });
    expect(missing(v)).toEqual(['NEED_CREDENTIAL', 'NEED_COVERAGE']);
  });

  it('the cache still tells a lost card or a pending determination', () => {
    expect(
      run({
        card: cardRead(SEED.lostCard),
        idCard: idCardRead(SEED.lostCard),
        insurer: UNREACHABLE,
        coverageCache: cached(SEED.lostCard, HOUR),
      }).verdict,
    ).toBe('MISMATCH');
    const pending = run(
      {
        card: cardRead(SEED.pending),
        idCard: idCardRead(SEED.pending),
        insurer: UNREACHABLE,
        coverageCache: cached(SEED.pending, HOUR),
      },
      { visitKind: 'inpatient' },
    );
    expect(pending).toMatchObject({ verdict: 'NOT_COVERED', offline: true, coverage: 'cached' });
    expect(check(pending, 'DETERMINATION_PENDING')).toMatchObject({ passed: false, evidence: ['coverageCache'] });
  });

  it('QR_DECODE_OFFLINE: a QR code cannot be decoded offline, so it is no credential', () => {
    const v = run({ qr: { kind: 'unreachable', at: NOW }, idCard: idCardRead(p), coverageCache: cached(p, HOUR) });
    expect(v).toMatchObject({ verdict: 'INCOMPLETE', offline: true, coverage: 'cached' });
    expect(failed(v)).toEqual(['QR_DECODE_OFFLINE']);
    expect(missing(v)).toEqual(['NEED_CREDENTIAL']);
  });

  it('a live answer wins over the cache and the verdict is not offline', () => {
    const v = run({
      ...usual(p),
      qr: { kind: 'unreachable', at: ago(60_000) },
      coverageCache: cached(p, HOUR, (a) => ({ ...a, insuinfo: { ...a.insuinfo, insured: false } })),
    });
    expect(v).toMatchObject({ verdict: 'MATCH', offline: false, coverage: 'confirmed' });
  });
});

describe('precedence', () => {
  it('MISMATCH beats NOT_COVERED: a lost card of a worker whose determination is pending', () => {
    const p = SEED.lostCard;
    const v = run({
      ...usual(p),
      insurer: insurerAnswer(p, (a) => ({ ...a, injury: { ...a.injury, status: 'pending' } })),
    });
    expect(failed(v)).toEqual(['CARD_LOST', 'DETERMINATION_PENDING']);
    expect(v.verdict).toBe('MISMATCH');
  });

  it('MISMATCH beats INCOMPLETE: card and HIS disagree before the insurer answered', () => {
    const v = run({ card: cardRead(SEED.activeFingers), his: hisIdentity(SEED.retiredDisease) });
    expect(missing(v)).toEqual(['NEED_COVERAGE']);
    expect(v.verdict).toBe('MISMATCH');
  });

  it('NOT_COVERED beats INCOMPLETE: the QR code alone already shows the worker is not insured', () => {
    const v = run({ qr: qrDecoded(SEED.uninsured), insurer: insurerAnswer(SEED.uninsured) });
    expect(missing(v)).toEqual(['NEED_PERSON']);
    expect(v.verdict).toBe('NOT_COVERED');
  });

  const effectArb = fc.constantFrom<CheckEffect>('mismatch', 'not-covered', 'unusable', 'incomplete');
  const checksArb = fc.array(
    fc.record({ effect: effectArb, passed: fc.boolean() }).map(({ effect, passed }): CheckResult => ({
      code: CHECK_CODES.find((c) => CHECK_EFFECTS[c] === effect) ?? 'QR_EXPIRED',
      passed,
      message: '测试',
      evidence: [],
      effect,
    })),
    { maxLength: 8 },
  );
  const missingArb = fc.subarray<MissingItem>([
    { code: 'NEED_CREDENTIAL', message: '凭证' },
    { code: 'NEED_PERSON', message: '本人' },
    { code: 'NEED_COVERAGE', message: '参保' },
  ]);

  it('decideVerdict: MISMATCH > NOT_COVERED > INCOMPLETE > MATCH for any mix of results', () => {
    fc.assert(
      fc.property(checksArb, missingArb, (checks, miss) => {
        const failing = new Set(checks.filter((c) => !c.passed).map((c) => c.effect));
        const expected = failing.has('mismatch')
          ? 'MISMATCH'
          : failing.has('not-covered')
            ? 'NOT_COVERED'
            : failing.has('incomplete') || miss.length > 0
              ? 'INCOMPLETE'
              : 'MATCH';
        expect(decideVerdict(checks, miss)).toBe(expected);
      }),
    );
  });
});

// ---- properties over any combination of evidence -------------------------------------------------

const personArb = fc.constantFrom(...PEOPLE);
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 3 });
const instantArb = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z') });
const junkText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 25 }),
  fc.constantFrom('', ' ', '长期', '2026-02-30', '2026-11-25', 'x'),
);

const qrArb: fc.Arbitrary<QrEvidence> = fc.oneof(
  fc.tuple(personArb, fc.integer({ min: -120_000, max: 120_000 })).map(([p, ms]) => qrDecoded(p, ms)),
  fc
    .tuple(personArb, junkText)
    .map(([p, t]): QrEvidence => ({ kind: 'decoded', answer: { ...qrAnswer(p, NOW), expire_time: t }, at: NOW })),
  fc.constantFrom<QrEvidence>(
    { kind: 'refused', reason: 'expired', at: NOW },
    { kind: 'refused', reason: 'invalid', at: NOW },
    { kind: 'unreachable', at: NOW },
  ),
);
const insurerArb: fc.Arbitrary<InsurerEvidence> = fc.oneof(
  personArb.map((p) => insurerAnswer(p)),
  fc
    .tuple(
      personArb,
      fc.constantFrom('determined', 'pending', 'none' as const),
      fc.boolean(),
      fc.constantFrom('normal', 'lost' as const),
    )
    .map(([p, status, insured, cardStatus]) =>
      insurerAnswer(p, (a) => ({
        ...a,
        injury: { ...a.injury, status },
        insuinfo: { ...a.insuinfo, insured },
        card: { ...a.card, card_status: cardStatus },
      })),
    ),
  fc.constantFrom<InsurerEvidence>(
    UNREACHABLE,
    { kind: 'refused', reason: 'unknown-person', at: NOW },
    { kind: 'refused', reason: 'person-card-mismatch', at: NOW },
    { kind: 'refused', reason: 'name-mismatch', at: NOW },
    { kind: 'refused', reason: 'other', at: NOW },
  ),
);

/** Any combination of realistic pieces of evidence, possibly from different people. */
const evidenceArb: fc.Arbitrary<SessionEvidence> = fc.record(
  {
    card: maybe(
      fc.oneof(
        personArb.map((p) => cardRead(p)),
        personArb.map((p) => lockedCardRead(p)),
      ),
    ),
    qr: maybe(qrArb),
    idCard: maybe(
      fc
        .tuple(personArb, fc.constantFrom('长期', '2026-11-24', '2030-01-01'))
        .map(([p, validTo]) => idCardRead(p, { validTo })),
    ),
    his: maybe(personArb.map((p) => hisIdentity(p))),
    staff: maybe(
      fc.constantFrom(
        staffConfirmed(),
        staffConfirmed({ staffId: '' }),
        staffConfirmed({ at: new Date(NOW.getTime() + 1) }),
      ),
    ),
    insurer: maybe(insurerArb),
    coverageCache: maybe(
      fc.tuple(personArb, fc.integer({ min: -HOUR, max: 48 * HOUR })).map(([p, age]) => cached(p, age)),
    ),
  },
  { requiredKeys: [] },
);

/** The same shapes with junk where the types allow any text or any date. */
const junkEvidenceArb: fc.Arbitrary<SessionEvidence> = fc.record(
  {
    card: maybe(
      fc
        .tuple(personArb, junkText, junkText, junkText, junkText)
        .map(([p, ssn, name, validUntil, cardSn]) => cardRead(p, { ssn, name, validUntil, cardSn })),
    ),
    qr: maybe(qrArb),
    idCard: maybe(
      fc
        .tuple(personArb, junkText, junkText, junkText)
        .map(([p, idNumber, name, validTo]) => idCardRead(p, { idNumber, name, validTo })),
    ),
    his: maybe(
      fc
        .tuple(personArb, junkText, junkText, instantArb)
        .map(([p, idNumber, name, at]) => hisIdentity(p, { idNumber, name, at })),
    ),
    staff: maybe(
      fc
        .tuple(junkText, junkText, instantArb)
        .map(([staffId, staffName, at]) => staffConfirmed({ staffId, staffName, at })),
    ),
    insurer: maybe(
      fc.oneof(
        insurerArb,
        fc.tuple(personArb, junkText, junkText).map(([p, certno, hospital]) =>
          insurerAnswer(p, (a) => ({
            ...a,
            baseinfo: { ...a.baseinfo, certno },
            signed_institutions: [{ fixmedins_code: hospital, fixmedins_name: hospital, sign_date: hospital }],
            cross_province: {
              insuplc_admdvs: hospital,
              filing: { filing_no: hospital, valid_from: hospital, valid_to: hospital },
            },
          })),
        ),
      ),
    ),
    coverageCache: maybe(fc.tuple(personArb, instantArb).map(([p, fetchedAt]) => ({ ...cached(p, 0), fetchedAt }))),
  },
  { requiredKeys: [] },
);

const contextArb: fc.Arbitrary<EvaluationContext> = fc.record({
  hospitalCode: fc.constantFrom(CONTEXT.hospitalCode, 'H64010400001', ''),
  visitKind: fc.constantFrom('outpatient' as const, 'inpatient' as const),
  now: fc.oneof(fc.constant(NOW), instantArb),
  maxCoverageCacheAgeMs: fc.oneof(
    fc.constant(24 * HOUR),
    fc.integer({ min: -1, max: 100 * HOUR }),
    fc.constant(Number.NaN),
  ),
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) {
      deepFreeze(v);
    }
  }
  return value;
}

/** The invariants every verdict keeps. */
function expectCoherent(v: Verdict): void {
  for (const c of v.checks) {
    expect(CHECK_CODES).toContain(c.code);
    expect(c.effect).toBe(CHECK_EFFECTS[c.code]);
    expect(c.message).toMatch(CJK);
    expect(c.evidence.length).toBeGreaterThan(0);
  }
  expect(v.verdict).toBe(decideVerdict(v.checks, v.missing));
  if (v.verdict === 'MATCH') {
    expect(v.credentials.length).toBeGreaterThan(0);
    expect(v.persons.length).toBeGreaterThan(0);
    expect(v.coverage).not.toBe('pending');
    expect(v.subject).toBeDefined();
    expect(v.checks.filter((c) => !c.passed).every((c) => c.effect === 'unusable')).toBe(true);
  }
  if (v.offline && v.verdict === 'MATCH') {
    expect(v.coverage).toBe('cached');
  }
  expect(missing(v).includes('NEED_COVERAGE')).toBe(v.coverage === 'pending');
}

describe('evaluate properties', () => {
  it('never throws, keeps its invariants and does not change its input, for any combination of evidence', () => {
    fc.assert(
      fc.property(fc.oneof(evidenceArb, junkEvidenceArb), contextArb, (evidence, context) => {
        const v = evaluate(deepFreeze(evidence), context);
        expectCoherent(v);
        if (Number.isNaN(context.now.getTime())) {
          // without a valid clock every dated credential counts as expired: never a MATCH
          expect(v.verdict).not.toBe('MATCH');
        }
        // JSON: an invalid `now` gives Date(NaN), which toEqual never finds equal to itself
        expect(JSON.stringify(evaluate(evidence, context))).toBe(JSON.stringify(v));
      }),
      { numRuns: 1500 },
    );
  });

  it('never shows a name, ID number or card number in a message', () => {
    fc.assert(
      fc.property(evidenceArb, contextArb, (evidence, context) => {
        expectNoPersonalData(evaluate(evidence, context));
      }),
      { numRuns: 1000 },
    );
  });

  it('a card and an ID card of two different people are always a MISMATCH, with no subject', () => {
    fc.assert(
      fc.property(personArb, personArb, evidenceArb, (a, b, rest) => {
        fc.pre(a.certno !== b.certno);
        const v = evaluate({ ...rest, card: cardRead(a), idCard: idCardRead(b) }, CONTEXT);
        expect(v.verdict).toBe('MISMATCH');
        expect(v.subject).toBeUndefined();
        expect(v.checks.some((c) => c.code === 'NOT_INSURED' || c.code === 'NOT_SIGNED_HERE')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('evidence all from one person never disagrees about who it is', () => {
    fc.assert(
      fc.property(personArb, fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), (p, card, qr, idCard, his) => {
        const v = evaluate(
          {
            ...(card ? { card: cardRead(p) } : {}),
            ...(qr ? { qr: qrDecoded(p) } : {}),
            ...(idCard ? { idCard: idCardRead(p) } : {}),
            ...(his ? { his: hisIdentity(p) } : {}),
            insurer: insurerAnswer(p),
          },
          CONTEXT,
        );
        const identityFailures = v.checks.filter(
          (c) =>
            !c.passed &&
            ['ID_NUMBER_INVALID', 'ID_NUMBER_MISMATCH', 'NAME_MISMATCH', 'CARD_SN_MISMATCH'].includes(c.code),
        );
        expect(identityFailures).toEqual([]);
        expect(v.subject?.idNumber).toBe(p.certno);
      }),
      { numRuns: 300 },
    );
  });
});
