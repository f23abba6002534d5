import { ReplyEnvelope, verifyEnvelope } from '../upstream/protocol/envelope';
import { INFCODE, INFNO } from '../upstream/protocol/transactions';
import { FaultControl, parseFaultPatch } from './faults';
import { SandboxInsurer } from './sandbox-insurer';
import { SEED } from './seed-people';
import { createTestGateway, signedRequest } from '../../test/support/test-gateway';
import { eventually } from '../../test/support/eventually';
import { httpJson } from '../../test/support/http-json';
import { serviceLine } from '../../test/support/sandbox-settlement';

/** Fault injection over a real listening port on 127.0.0.1. */
describe('sandbox insurer faults', () => {
  const gateway = createTestGateway();
  let insurer: SandboxInsurer;
  let url: string;
  const personQuery = () => signedRequest(gateway, INFNO.personQuery, { certno: SEED.activeFingers.certno });
  const post = (envelope: unknown, timeoutMs?: number) =>
    httpJson('POST', `${url}/api/transaction`, envelope, timeoutMs);

  beforeEach(async () => {
    insurer = new SandboxInsurer({ gatewayKeys: { [gateway.cainfo]: gateway.keys.publicKey } });
    url = await insurer.start({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await insurer.stop();
  });

  it('answers over a real socket when no fault is set', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await post(personQuery());
    expect(response.status).toBe(200);
    expect((response.body as ReplyEnvelope).infcode).toBe(INFCODE.ok);
  });

  it('errorRate 1 answers 503 without processing', async () => {
    const set = await httpJson('PUT', `${url}/sandbox/faults`, { errorRate: 1 });
    expect(set.body).toEqual({
      latencyMs: 0,
      latencyJitterMs: 0,
      errorRate: 1,
      timeout: false,
      commitThenDrop: 0,
      down: false,
      garbleSplit: 0,
    });
    const request = personQuery();
    const response = await post(request);
    expect(response.status).toBe(503);
    expect(insurer.stats()).toMatchObject({ processed: 0, unavailable: 1 });
    expect(insurer.message(request.msgid)).toBeUndefined();
  });

  it('commitThenDrop stores the message, then hangs up; 9201 later returns the stored reply', async () => {
    await insurer.faults.set({ commitThenDrop: 1 });
    const request = personQuery();
    await expect(post(request)).rejects.toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
    expect(insurer.stats()).toMatchObject({ processed: 1, dropped: 1 });
    const stored = insurer.message(request.msgid)?.reply;
    expect(stored?.infcode).toBe(INFCODE.ok);

    await insurer.faults.reset();
    const query = await post(signedRequest(gateway, INFNO.queryByMsgid, { omsgid: request.msgid }));
    expect((query.body as ReplyEnvelope<{ reply: ReplyEnvelope }>).output?.reply).toEqual(stored);
    // And resending the original (after the query said it arrived) would not process it again.
    const resent = await post(request);
    expect(resent.body).toEqual(stored);
    expect(insurer.stats()).toMatchObject({ processed: 2, duplicates: 1, byInfno: { '1101': 1, '9201': 1 } });
  });

  it('garbleSplit answers a settlement with a signed split that does not add up; the stored reply (9201) is right; other replies are untouched', async () => {
    await httpJson('PUT', `${url}/sandbox/faults`, { garbleSplit: 1 });
    const p = SEED.activeFingers;
    const settlement = signedRequest(gateway, INFNO.outpatientSettlement, {
      psn_no: p.psn_no,
      mdtrt_id: 'MZGARBLE1',
      begntime: '2026-11-25 09:30:00',
      dise_codg: 'S62.600',
      dise_name: '手指骨折',
      medfee_sumamt: 30,
      feedetail: [serviceLine('1', 30)],
    });
    const answered = (await post(settlement)).body as ReplyEnvelope<Record<string, number>>;
    expect(verifyEnvelope(answered, insurer.publicKey)).toBe(true);
    const stored = insurer.message(settlement.msgid)?.reply as ReplyEnvelope<Record<string, number>>;
    expect(stored.output).toMatchObject({ medfee_sumamt: 30, fund_pay_sumamt: 30, psn_pay_sumamt: 0 });
    expect(answered.output).toEqual({ ...stored.output, fund_pay_sumamt: 30.01 });
    const query = await post(signedRequest(gateway, INFNO.queryByMsgid, { omsgid: settlement.msgid }));
    expect((query.body as ReplyEnvelope<{ reply: ReplyEnvelope }>).output?.reply).toEqual(stored);
    const person = personQuery();
    expect((await post(person)).body).toEqual(insurer.message(person.msgid)?.reply);
  });

  it('down refuses connections (ECONNREFUSED) and recovers on the same URL', async () => {
    await insurer.faults.set({ down: true });
    await expect(post(personQuery())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(httpJson('GET', `${url}/sandbox/stats`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await insurer.faults.set({ down: false });
    expect((await post(personQuery())).status).toBe(200);
    expect(insurer.stats().processed).toBe(1);
  });

  it('down over HTTP needs the control port, which stays up to switch it back', async () => {
    const refused = await httpJson('PUT', `${url}/sandbox/faults`, { down: true });
    expect(refused.status).toBe(409);
    await insurer.stop();

    insurer = new SandboxInsurer({ gatewayKeys: { [gateway.cainfo]: gateway.keys.publicKey } });
    url = await insurer.start({ port: 0, controlPort: 0 });
    const control = insurer.controlUrl ?? '';
    expect((await httpJson('PUT', `${url}/sandbox/faults`, { down: true })).body).toMatchObject({ down: true });
    await expect(post(personQuery())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await httpJson('GET', `${control}/sandbox/faults`)).body).toMatchObject({ down: true });
    expect((await httpJson('POST', `${control}/api/transaction`, personQuery())).status).toBe(404);
    expect((await httpJson('DELETE', `${control}/sandbox/faults`)).body).toMatchObject({ down: false });
    expect((await post(personQuery())).status).toBe(200);
  });

  it('timeout holds the request unprocessed until the client gives up', async () => {
    await insurer.faults.set({ timeout: true });
    const request = personQuery();
    const gaveUp = post(request, 300).then(
      () => 'answered',
      (error: unknown) => error,
    );
    // The client may give up before the insurer has even read the request on a busy machine: wait for the hold.
    await eventually(() => insurer.stats().held === 1, 'the insurer to hold the request');
    expect(await gaveUp).toMatchObject({ code: 'ETIMEDOUT' });
    expect(insurer.stats()).toMatchObject({ processed: 0, held: 1 });
    await insurer.faults.set({ timeout: false });
    const query = await post(signedRequest(gateway, INFNO.queryByMsgid, { omsgid: request.msgid }));
    expect((query.body as ReplyEnvelope).infcode).toBe(INFCODE.unknownMsgid);
  });

  it('latency delays the answer; bad patches are refused', async () => {
    await insurer.faults.set({ latencyMs: 250 });
    const started = Date.now();
    expect((await post(personQuery())).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const bad = await httpJson('PUT', `${url}/sandbox/faults`, { errorRate: 2 });
    expect(bad).toEqual({ status: 400, body: { error: 'errorRate must be a number 0..1' } });
    expect(parseFaultPatch({ flaky: true })).toMatch(/^unknown fault flaky/);
    await expect(insurer.faults.set({ latencyMs: -1 })).rejects.toThrow(RangeError);
  });

  it('latencyJitterMs adds a uniform draw of 0..jitter to latencyMs (off by default)', async () => {
    const draws = [0, 0.5, 0.999999];
    const faults = new FaultControl(
      async () => undefined,
      () => draws.shift() ?? 0,
    );
    await faults.set({ latencyMs: 50 });
    expect(faults.latencyNow()).toBe(50);
    expect(draws).toHaveLength(3); // no jitter: nothing drawn
    await faults.set({ latencyJitterMs: 100 });
    expect([faults.latencyNow(), faults.latencyNow(), faults.latencyNow()]).toEqual([50, 100, 150]);
    expect(parseFaultPatch({ latencyJitterMs: 1.5 })).toBe('latencyJitterMs must be an integer 0..600000');
  });
});
