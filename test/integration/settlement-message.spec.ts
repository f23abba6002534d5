import type { InsurerPersonAnswer } from '../../src/identity/rules/evidence';
import { SANDBOX_HOSPITAL, SEED } from '../../src/sandbox/seed-people';
import { preAudit } from '../../src/settlement/rules/pre-audit';
import type { CatalogueMatch, FeeLine, PreAuditInput } from '../../src/settlement/rules/pre-audit-input';
import { workerFactsFromInsurer } from '../../src/settlement/rules/worker-facts';
import { NotSettleableError, settlementMessage, SettlementFacts } from '../../src/settlement/rules/settlement-message';
import { deskCollectsFen, readSettlementReply } from '../../src/settlement/rules/settlement-reply';
import { INFNO } from '../../src/upstream/protocol/transactions';
import { SandboxWorld, sandboxWorld } from '../support/sandbox-settlement';

/**
 * The settlement message the gateway builds from a pre-audited visit, sent to the sandbox insurer's
 * real 2206/2207 handlers, and its answer read back into fen: the two sides agree on every field.
 */
describe('settlement message ↔ the sandbox insurer', () => {
  let w: SandboxWorld;
  beforeEach(() => {
    w = sandboxWorld();
  });
  afterEach(() => w.insurer.stop());

  const p = SEED.activeFingers;
  const BOX_A = '81234560000000000301';
  const BOX_B = '81234560000000000302';
  const line = (lineId: string, extra: Partial<FeeLine>): FeeLine => ({
    lineId,
    hisItemCode: `HIS-${lineId}`,
    itemName: '换药（中）',
    kind: 'service',
    count: '1',
    unitPriceFen: 3000,
    amountFen: 3000,
    serviceDate: '2026-11-25',
    injuryRelated: true,
    daysOfSupply: null,
    supplyStatementPresent: false,
    selfPayConsentFormId: null,
    ...extra,
  });
  const lines: FeeLine[] = [
    // 1.5 boxes of a split drug at 8.33 yuan: 12.495 → 12.50 (half up), two boxes, two codes.
    line('1', {
      kind: 'drug',
      itemName: '布洛芬缓释胶囊',
      count: '1.5',
      unitPriceFen: 833,
      amountFen: 1250,
      daysOfSupply: 5,
    }),
    line('2', {}),
    line('3', { itemName: '感冒诊治', injuryRelated: false, unitPriceFen: 2000, amountFen: 2000 }),
    // Not mapped: the worker's, kept out of the message; a signed consent covers it.
    line('4', { itemName: '自费敷料', kind: 'material', selfPayConsentFormId: 'F-1' }),
  ];
  const catalogue = new Map<string, CatalogueMatch>([
    ['HIS-1', { kind: 'mapped', insurerCode: 'XM01AEI045A001010101445' }],
    ['HIS-2', { kind: 'mapped', insurerCode: '001201000010000' }],
    ['HIS-3', { kind: 'mapped', insurerCode: '001101000010000' }],
  ]);
  const audited = (answer: InsurerPersonAnswer, over: Partial<PreAuditInput> = {}) =>
    preAudit({
      visit: { kind: 'outpatient', visitDate: '2026-11-25', hospitalCode: SANDBOX_HOSPITAL.fixmedins_code },
      worker: workerFactsFromInsurer(answer),
      lines,
      catalogue,
      traceCodes: new Map([['1', { boxesExpected: 2, codesCaptured: 2 }]]),
      signedConsentFormIds: new Set(['F-1']),
      hisTotals: { totalFen: 1250 + 3000 + 2000 + 3000 },
      ...over,
    });
  const facts: SettlementFacts = {
    psnNo: p.psn_no,
    mdtrtId: 'MZ20261125001',
    cardSn: p.card.card_sn,
    diagnosisCode: 'S62.600',
    diagnosisName: '手指骨折',
    visit: { kind: 'outpatient', begntime: '2026-11-25 09:30:00' },
    conversion: false,
  };

  it('sends the mapped lines with their codes, keeps the unmapped one local, and reads the split in fen', async () => {
    const answer = await w.ok<InsurerPersonAnswer>(INFNO.personQuery, { certno: p.certno });
    const audit = audited(answer);
    expect(audit.verdict.canSettle).toBe(true);
    const message = settlementMessage(facts, lines, audit, new Map([['1', [BOX_A, BOX_B]]]));
    expect(message.sentLineIds).toEqual(['1', '2', '3']);
    expect(message.localSelfPay).toEqual([{ lineId: '4', amountFen: 3000, reason: 'not-mapped' }]);
    expect(message.input).toMatchObject({
      medfee_sumamt: 62.5,
      feedetail: [
        { feedetl_sn: '1', cnt: 1.5, pric: 8.33, det_item_fee_sumamt: 12.5, drug_trac_codg: [BOX_A, BOX_B] },
        { feedetl_sn: '2', cnt: 1, pric: 30, det_item_fee_sumamt: 30 },
        { feedetl_sn: '3', injury_related: false, det_item_fee_sumamt: 20 },
      ],
    });
    expect(JSON.stringify(message.input)).toContain('"medfee_sumamt":62.5');

    // Trial first (2206): the same split, nothing settled.
    const trial = readSettlementReply(await w.ok(INFNO.outpatientPreSettlement, message.input), message, false);
    expect(trial).toMatchObject({ ok: true, split: { setlId: null, fundFen: 4250, selfPayFen: 2000 } });

    const settled = readSettlementReply(await w.ok(INFNO.outpatientSettlement, message.input), message, true);
    if (!settled.ok) {
      throw new Error(settled.problem);
    }
    expect(settled.split).toMatchObject({ totalFen: 6250, fundFen: 4250, selfPayFen: 2000, refundFen: null });
    expect(settled.split.setlId).toMatch(/^ST/);
    expect(settled.split.lines.map((l) => [l.lineId, l.fundFen, l.selfPayFen])).toEqual([
      ['1', 1250, 0],
      ['2', 3000, 0],
      ['3', 0, 2000],
    ]);
    // The worker pays the insurer's worker part and the consented local line.
    expect(deskCollectsFen(settled.split, message, audit)).toBe(2000 + 3000);
  });

  it('leaves a line the hospital must bear (no signed consent) out of what the desk collects', async () => {
    const answer = await w.ok<InsurerPersonAnswer>(INFNO.personQuery, { certno: p.certno });
    const audit = audited(answer, { signedConsentFormIds: new Set() });
    const message = settlementMessage(facts, lines, audit, new Map([['1', [BOX_A, BOX_B]]]));
    const settled = readSettlementReply(await w.ok(INFNO.outpatientSettlement, message.input), message, true);
    expect(settled.ok && deskCollectsFen(settled.split, message, audit)).toBe(2000);
  });

  it('refuses to build a message for a visit the pre-audit refuses', async () => {
    const answer = await w.ok<InsurerPersonAnswer>(INFNO.personQuery, { certno: p.certno });
    const audit = audited(answer, { traceCodes: new Map() });
    expect(audit.verdict.canSettle).toBe(false);
    expect(() => settlementMessage(facts, lines, audit, new Map())).toThrow(NotSettleableError);
  });
});
