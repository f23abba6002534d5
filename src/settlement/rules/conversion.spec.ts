import {
  conversionJudgement,
  conversionSummary,
  type ConversionCandidate,
  type ConversionWorker,
  receiptsKey,
  receiptsTotalFen,
  repeatedReceiptNos,
} from './conversion';
import { preAudit } from './pre-audit';
import type { FeeLine, PreAuditInput } from './pre-audit-input';

const HERE = 'H64010600001';
const line = (lineId: string, over: Partial<FeeLine> = {}): FeeLine => ({
  lineId,
  hisItemCode: `FW${lineId}`,
  itemName: `项目${lineId}`,
  kind: 'service',
  count: '1',
  unitPriceFen: 1000,
  amountFen: 1000,
  serviceDate: '2026-02-10',
  injuryRelated: true,
  daysOfSupply: null,
  supplyStatementPresent: false,
  selfPayConsentFormId: null,
  ...over,
});

/** Injured 2026-01-09, determined 2026-03-18 (the sandbox's 买买提·艾力). */
const WORKER: ConversionWorker = {
  injuryStatus: 'determined',
  injuryDate: '2026-01-09',
  determinationDate: '2026-03-18',
  determinationNo: '银人社工认字〔2026〕第0042号',
};

function conversionInput(lines: FeeLine[], visitDate: string, over: Partial<PreAuditInput> = {}): PreAuditInput {
  return {
    visit: { kind: 'outpatient', visitDate, hospitalCode: HERE },
    worker: {
      injuryStatus: 'determined',
      injuryDate: WORKER.injuryDate,
      signedInstitutionCodes: [HERE],
      crossProvince: null,
    },
    lines,
    catalogue: new Map(lines.map((l) => [l.hisItemCode, { kind: 'mapped' as const, insurerCode: `X${l.lineId}` }])),
    traceCodes: new Map(),
    signedConsentFormIds: new Set(),
    hisTotals: { totalFen: lines.reduce((s, l) => s + l.amountFen, 0) },
    conversion: {
      determinationDate: WORKER.determinationDate,
      receiptsTotalFen: lines.reduce((s, l) => s + l.amountFen, 0),
    },
    ...over,
  };
}
const codes = (r: ReturnType<typeof preAudit>) => [
  ...r.visitFindings.map((f) => f.code),
  ...r.lines.flatMap((l) => l.findings.map((f) => `${l.lineId}:${f.code}`)),
];

describe('自费转工伤 rules', () => {
  describe('receipts', () => {
    it('adds them up, finds a number given twice, and compares sets in any order', () => {
      const a = { receiptNo: 'FP-1', amountFen: 3000, paidDate: '2026-02-10' };
      const b = { receiptNo: 'FP-2', amountFen: 2000, paidDate: '2026-02-11' };
      expect(receiptsTotalFen([a, b])).toBe(5000);
      expect(receiptsTotalFen([])).toBe(0);
      expect(repeatedReceiptNos([a, b, { ...a, amountFen: 1 }, { ...b, receiptNo: ' fp-2 ' }])).toEqual([2, 3]);
      expect(receiptsKey([a, b])).toBe(receiptsKey([b, a]));
      expect(receiptsKey([a, b])).not.toBe(receiptsKey([a, { ...b, amountFen: 2001 }]));
    });
  });

  describe('the conversion’s pre-audit', () => {
    it('passes care between the injury and the determination whose receipts match its lines', () => {
      const r = preAudit(conversionInput([line('1'), line('2', { injuryRelated: false })], '2026-02-10'));
      expect(r.verdict.canSettle).toBe(true);
      expect(codes(r)).toEqual(['2:NOT_INJURY_RELATED']);
      // The injury day and the determination day themselves convert.
      expect(
        preAudit(conversionInput([line('1', { serviceDate: '2026-01-09' })], '2026-01-09')).verdict.canSettle,
      ).toBe(true);
      expect(
        preAudit(conversionInput([line('1', { serviceDate: '2026-03-18' })], '2026-03-18')).verdict.canSettle,
      ).toBe(true);
    });

    it('refuses care before the injury date: the visit and each line dated before it', () => {
      const r = preAudit(
        conversionInput(
          [line('1', { serviceDate: '2026-01-05' }), line('2', { serviceDate: '2026-01-09' })],
          '2026-01-05',
        ),
      );
      expect(r.verdict.canSettle).toBe(false);
      expect(codes(r)).toEqual(['VISIT_BEFORE_INJURY', '1:CONVERSION_LINE_BEFORE_INJURY']);
      expect(r.lines.map((l) => l.disposition)).toEqual(['refused', 'fund']);
      expect(r.lines[0].findings[0].message).toBe(
        '第 1 行（项目1）费用日期 2026-01-05 早于受伤（职业病诊断）日期 2026-01-09：不属于本次工伤的治疗，不能转为工伤费用',
      );
    });

    it('refuses care after the determination (settled directly), and receipts that are not the lines', () => {
      const after = preAudit(conversionInput([line('1', { serviceDate: '2026-03-19' })], '2026-03-19'));
      expect(codes(after)).toEqual(['CONVERSION_AFTER_DETERMINATION']);
      const short = preAudit(
        conversionInput([line('1')], '2026-02-10', {
          conversion: { determinationDate: '2026-03-18', receiptsTotalFen: 900 },
        }),
      );
      expect(codes(short)).toEqual(['CONVERSION_RECEIPTS_MISMATCH']);
      expect(short.visitFindings[0].message).toMatch(/收据合计 9\.00元 与费用明细合计 10\.00元 不符/);
    });

    it('says a pending determination blocks the conversion, in the conversion’s words', () => {
      const r = preAudit(
        conversionInput([line('1')], '2026-02-10', {
          worker: {
            injuryStatus: 'pending',
            injuryDate: '2026-01-09',
            signedInstitutionCodes: [HERE],
            crossProvince: null,
          },
        }),
      );
      expect(r.visitFindings).toEqual([
        expect.objectContaining({
          code: 'DETERMINATION_PENDING',
          message: expect.stringMatching(/不能办理自费转工伤/),
        }),
      ]);
    });

    it('leaves a normal settlement alone: no conversion rule runs without conversion facts', () => {
      const r = preAudit(
        conversionInput([line('1', { serviceDate: '2026-03-19' })], '2026-03-19', { conversion: null }),
      );
      expect(r.verdict.canSettle).toBe(true);
    });
  });

  describe('the listing’s judgement', () => {
    const candidate = (visitDate: string, over: Partial<ConversionCandidate> = {}): ConversionCandidate => ({
      visit: { kind: 'outpatient', visitDate, hospitalCode: HERE },
      state: 'open',
      lineSumFen: 3600,
      paidFen: 3600,
      ...over,
    });

    it('marks each visit convertible or not with the reason; converted and converting as such', () => {
      expect(conversionJudgement(candidate('2026-02-10'), WORKER)).toEqual({ state: 'convertible', reason: null });
      expect(conversionJudgement(candidate('2026-01-05'), WORKER)).toEqual({
        state: 'not-convertible',
        reason: { code: 'VISIT_BEFORE_INJURY', message: expect.stringMatching(/早于受伤/) },
      });
      expect(conversionJudgement(candidate('2026-03-20'), WORKER).reason?.code).toBe('CONVERSION_AFTER_DETERMINATION');
      expect(conversionJudgement(candidate('2026-02-10', { paidFen: 3500 }), WORKER).reason?.code).toBe(
        'CONVERSION_RECEIPTS_MISMATCH',
      );
      expect(conversionJudgement(candidate('2026-02-10', { state: 'settled' }), WORKER).state).toBe('converted');
      expect(conversionJudgement(candidate('2026-02-10', { state: 'settling' }), WORKER).state).toBe('converting');
      const inpatient = candidate('', {
        visit: { kind: 'inpatient', admissionDate: '2026-01-08', dischargeNoticeDate: null, hospitalCode: HERE },
      });
      expect(conversionJudgement(inpatient, WORKER).reason?.code).toBe('VISIT_BEFORE_INJURY');
    });

    it('converts nothing while the determination is pending or missing, and says so', () => {
      const pending: ConversionWorker = { ...WORKER, injuryStatus: 'pending', determinationDate: null };
      expect(conversionJudgement(candidate('2026-02-10'), pending).reason?.code).toBe('DETERMINATION_PENDING');
      expect(conversionSummary(pending, [])).toMatch(/^工伤认定尚未作出：不能办理自费转工伤/);
      const none: ConversionWorker = { ...WORKER, injuryStatus: 'none', injuryDate: null, determinationDate: null };
      expect(conversionJudgement(candidate('2026-02-10'), none).reason?.code).toBe('NO_DETERMINATION');
    });

    it('sums up the visits for the desk', () => {
      const judged = [
        conversionJudgement(candidate('2026-02-10'), WORKER),
        conversionJudgement(candidate('2026-01-05'), WORKER),
        conversionJudgement(candidate('2026-02-11', { state: 'settled' }), WORKER),
      ];
      expect(conversionSummary(WORKER, judged)).toBe(
        '工伤认定已作出（认定日期 2026-03-18）：可办理自费转工伤 1 次，不能转 1 次（原因见各次就诊），已转 1 次',
      );
      expect(conversionSummary(WORKER, [])).toMatch(/没有登记认定前自费就诊/);
    });
  });
});
