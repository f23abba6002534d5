import type { EntityManager } from 'typeorm';
import type { AuditService, Clock, PiiCryptoService, Transactions } from '../../platform';
import type { SettlementRecord } from '../../settlement/settlement.entity';
import type { SettlementOutcomeService } from '../../settlement/settlement-outcome.service';
import type { OutboxMessage } from '../../upstream/outbox/outbox-message.entity';
import type { OutboxItem, OutboxService } from '../../upstream/outbox/outbox.service';
import type { ObligationsService, OpenObligation } from '../obligations.service';
import { CrossProvinceUploadService } from './cross-province-upload.service';

const m = {} as EntityManager;

/** The service over recording fakes of the outbox and the obligations (the hooks are called directly). */
function world() {
  const calls: string[] = [];
  const opened: OpenObligation[] = [];
  const queued: OutboxItem[] = [];
  const obligations = {
    open: (o: OpenObligation) => {
      opened.push(o);
      return Promise.resolve();
    },
    recordAttempt: (kind: string, subject: string, error: string | null) => {
      calls.push(`attempt ${kind} ${subject} ${error}`);
      return Promise.resolve();
    },
    fulfil: (kind: string, subject: string, evidence: Record<string, unknown>) => {
      calls.push(`fulfil ${kind} ${subject} ${JSON.stringify(evidence)}`);
      return Promise.resolve({ state: 'done' });
    },
    waiveSubject: (kind: string, subject: string, reason: string) => {
      calls.push(`waive ${kind} ${subject} ${reason}`);
      return Promise.resolve();
    },
  } as unknown as ObligationsService;
  const outbox = {
    enqueue: (_m: EntityManager, items: OutboxItem[]) => {
      queued.push(...items);
      return Promise.resolve(items.map((_, i) => ({ msgid: `MSG${i}` })));
    },
  } as unknown as OutboxService;
  const pii = { decrypt: (value: string) => value } as unknown as PiiCryptoService;
  const clock: Clock = { now: () => new Date('2026-11-25T02:00:00Z') };
  const service = new CrossProvinceUploadService(
    {} as SettlementOutcomeService,
    outbox,
    obligations,
    pii,
    clock,
    {} as Transactions,
    {} as AuditService,
  );
  return { service, calls, opened, queued };
}

const record = (crossProvince: unknown): SettlementRecord =>
  ({
    id: 'S-1',
    mdtrtId: 'ZY1',
    psnNo: '6201020000551208',
    setlId: 'ST1',
    settledAt: new Date('2026-11-25T02:00:05Z'),
    split: JSON.stringify({ setlTime: '2026-11-25 10:00:00', totalFen: 10000, fundFen: 10000, selfPayFen: 0 }),
    message: JSON.stringify({
      input: {
        dise_codg: 'S82.500',
        dise_name: '踝骨折',
        adm_date: '2026-11-18',
        dscg_date: '2026-11-24',
        feedetail: [{}],
      },
    }),
    workerEnc: JSON.stringify({ name: '赵鹏', crossProvince }),
  }) as unknown as SettlementRecord;

describe('the cross-province upload hooks', () => {
  it('a settlement of a worker insured in Ningxia (or recorded before the filing was kept) owes nothing', async () => {
    const w = world();
    await w.service.settled(m, record(null), undefined);
    await w.service.settled(m, record(undefined), undefined);
    expect(w.opened).toEqual([]);
    expect(w.queued).toEqual([]);
  });

  it('a cross-province settlement opens the duty from the insurer’s setl_time and queues its 3301', async () => {
    const w = world();
    await w.service.settled(m, record({ insuplcAdmdvs: '620100', filingNo: 'BA1' }), undefined);
    expect(w.queued).toEqual([
      expect.objectContaining({ infno: '3301', subjectKey: 'xprov:S-1', insuplcAdmdvs: '620100' }),
    ]);
    expect(w.opened).toEqual([
      expect.objectContaining({
        kind: 'cross-province-upload',
        subjectId: 'S-1',
        from: new Date('2026-11-25T02:00:00Z'),
        due: { workingDays: 5 },
        detail: expect.objectContaining({ msgid: 'MSG0', setlId: 'ST1', careType: 'medical' }) as unknown,
      }),
    ]);
  });

  it('a refusal is an attempt with the insurer’s reason; a receipt fulfils with the warning kept', async () => {
    const w = world();
    const message = { msgid: 'M1', subjectKey: 'xprov:S-1' } as OutboxMessage;
    await w.service.uploaded(m, message, {
      status: 'rejected',
      infcode: -1,
      output: null,
      errMsg: '该结算已撤销，不能上传',
    });
    await w.service.uploaded(m, message, {
      status: 'delivered',
      infcode: 0,
      output: { receipt_id: 'CP1', upld_time: '2026-12-03 10:00:00' },
      errMsg: null,
      warnMsg: '已超过结算后 5 个工作日的上传时限（最后上传日 2026-12-02）',
    });
    expect(w.calls).toEqual([
      'attempt cross-province-upload S-1 3301 M1: 该结算已撤销，不能上传',
      'attempt cross-province-upload S-1 null',
      'fulfil cross-province-upload S-1 {"receipt_id":"CP1","upld_time":"2026-12-03 10:00:00","warn_msg":"已超过结算后 5 个工作日的上传时限（最后上传日 2026-12-02）","msgid":"M1"}',
    ]);
  });

  it('a 3301 that is not an obligation’s changes nothing; a cancelled settlement waives its duty', async () => {
    const w = world();
    await w.service.uploaded(m, { msgid: 'M2', subjectKey: null } as OutboxMessage, {
      status: 'delivered',
      infcode: 0,
      output: {},
      errMsg: null,
    });
    await w.service.cancelled(m, record(null));
    expect(w.calls).toEqual(['waive cross-province-upload S-1 结算已撤销（ST1），无需上传']);
  });
});
