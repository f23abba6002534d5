import { canonicalJson } from '../upstream/protocol/canonical-json';
import { RequestEnvelope, signEnvelope, verifyEnvelope } from '../upstream/protocol/envelope';
import { INFCODE, INFNO } from '../upstream/protocol/transactions';
import { SandboxInsurer } from './sandbox-insurer';
import { SEED } from './seed-people';
import { createTestGateway, send, signedRequest, unsignedRequest } from '../../test/support/test-gateway';
import { PinnedClock } from '../../test/support/pinned-clock';

/** Wire protocol: signatures, envelope checks, idempotency by msgid, 9201, the message log. */
describe('sandbox insurer protocol', () => {
  let clock: PinnedClock;
  const gateway = createTestGateway({ clock: { now: () => clock.now() } });
  let insurer: SandboxInsurer;
  const query = { certno: SEED.activeFingers.certno };

  beforeEach(() => {
    clock = new PinnedClock(new Date('2026-11-25T02:00:00Z'));
    insurer = new SandboxInsurer({ gatewayKeys: { [gateway.cainfo]: gateway.keys.publicKey }, clock });
  });
  afterEach(async () => {
    await insurer.stop();
  });

  it('accepts a signed request and signs its reply with the insurer key', async () => {
    const request = signedRequest(gateway, INFNO.personQuery, query);
    const reply = await send(insurer, request);
    expect(reply).toMatchObject({
      infcode: INFCODE.ok,
      inf_refmsgid: request.msgid,
      refmsg_time: '2026-11-25 10:00:00',
      respond_time: '2026-11-25 10:00:00',
      err_msg: null,
      cainfo: insurer.insurerKeyId,
      signtype: 'SM2',
    });
    expect(verifyEnvelope(reply, insurer.publicKey)).toBe(true);
    expect(verifyEnvelope({ ...reply, infcode: 1 }, insurer.publicKey)).toBe(false);
  });

  it('refuses a tampered, unsigned or unknown-key request with badSignature, unstored', async () => {
    const request = signedRequest(gateway, INFNO.personQuery, query);
    const tampered = { ...request, input: { certno: SEED.dotName.certno } };
    const unsigned: Partial<RequestEnvelope> = { ...request };
    delete unsigned.sign;
    const otherKey = { ...request, cainfo: 'gw-unknown' };
    for (const bad of [tampered, unsigned, otherKey]) {
      const reply = await send(insurer, bad);
      expect(reply.infcode).toBe(INFCODE.badSignature);
      expect(reply.err_msg).toMatch(/签名/);
      expect(reply.output).toBeNull();
      expect(verifyEnvelope(reply, insurer.publicKey)).toBe(true);
    }
    expect(insurer.stats()).toMatchObject({ processed: 0, refused: 3 });
    expect(insurer.message(request.msgid)).toBeUndefined();
  });

  it('rejects malformed envelopes with a clear err_msg', async () => {
    const cases: Array<[Partial<RequestEnvelope>, RegExp, boolean]> = [
      [{ msgid: 'H64010600001202611251000001' }, /msgid 格式错误/, false],
      [{ msgid: 'H64010600001202613251000000001' }, /msgid 格式错误/, false],
      [{ fixmedins_code: 'H64010400001' }, /msgid 前12位与 fixmedins_code 不符/, false],
      [{ opter_name: '' }, /缺少必填字段 opter_name/, true],
      [{ infver: 'V2.0' }, /接口版本/, true],
      [{ infno: '9999' }, /不支持的交易编号 9999/, true],
    ];
    for (const [override, message, stored] of cases) {
      const reply = await send(insurer, signedRequest(gateway, INFNO.personQuery, query, override));
      expect({ infcode: reply.infcode, err_msg: reply.err_msg }).toEqual({
        infcode: INFCODE.rejected,
        err_msg: expect.stringMatching(message),
      });
      expect(insurer.message(reply.inf_refmsgid) !== undefined).toBe(stored);
    }
    const missingInput = unsignedRequest(gateway, INFNO.personQuery, query) as Partial<RequestEnvelope>;
    delete missingInput.input;
    const reply = await send(insurer, signEnvelope(missingInput as RequestEnvelope, gateway.keys));
    expect(reply.err_msg).toBe('缺少必填字段 input');
    const notJson = await insurer.inject({
      method: 'POST',
      url: '/api/transaction',
      payload: '[1]',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.json()).toMatchObject({ infcode: INFCODE.rejected, err_msg: '报文应为 JSON 对象' });
  });

  it('processes a msgid once: a resend gets the stored reply and counts as a duplicate', async () => {
    const request = signedRequest(gateway, INFNO.personQuery, query);
    const first = await send(insurer, request);
    clock.advance(5_000);
    const again = await send(insurer, request);
    // A resend re-signed by the gateway (SM2 signatures differ each time) is the same message.
    const { sign: _sign, ...unsigned } = request;
    const resigned = await send(insurer, signEnvelope<RequestEnvelope>(unsigned, gateway.keys));
    expect(again).toEqual(first);
    expect(resigned).toEqual(first);
    expect(insurer.stats()).toMatchObject({ processed: 1, duplicates: 2, byInfno: { '1101': 1 } });
    expect(insurer.message(request.msgid)).toMatchObject({ infno: '1101', timesReceived: 3, reply: first });
    const viaHttp = await insurer.inject({ method: 'GET', url: `/sandbox/stats` });
    expect(viaHttp.json()).toEqual(insurer.stats());
  });

  it('refuses a known msgid reused for different content', async () => {
    const request = signedRequest(gateway, INFNO.personQuery, query);
    await send(insurer, request);
    const reply = await send(
      insurer,
      signedRequest(gateway, INFNO.personQuery, { certno: SEED.dotName.certno }, { msgid: request.msgid }),
    );
    expect(reply.err_msg).toMatch(/msgid 已被另一笔内容不同的报文使用/);
    expect(insurer.stats()).toMatchObject({ processed: 1, duplicates: 0, conflicts: 1, refused: 1 });
  });

  it('9201 returns the stored reply of a known msgid and unknownMsgid otherwise', async () => {
    const original = signedRequest(gateway, INFNO.personQuery, query);
    const originalReply = await send(insurer, original);
    const known = await send(
      insurer,
      signedRequest(gateway, INFNO.queryByMsgid, { omsgid: original.msgid, oinfno: '1101' }),
    );
    expect(known.infcode).toBe(INFCODE.ok);
    expect(known.output).toEqual({
      omsgid: original.msgid,
      oinfno: '1101',
      received_time: '2026-11-25 10:00:00',
      times_received: 1,
      reply: originalReply,
    });
    const wrongInfno = await send(
      insurer,
      signedRequest(gateway, INFNO.queryByMsgid, { omsgid: original.msgid, oinfno: '2207' }),
    );
    expect(wrongInfno.err_msg).toBe('原交易编号不符：omsgid 对应的交易为 1101');
    const neverSent = unsignedRequest(gateway, INFNO.personQuery, query).msgid;
    const unknown = await send(insurer, signedRequest(gateway, INFNO.queryByMsgid, { omsgid: neverSent }));
    expect(unknown).toMatchObject({
      infcode: INFCODE.unknownMsgid,
      output: null,
      err_msg: expect.stringMatching(/未收到该报文/),
    });
    const otherHospital = await send(
      insurer,
      signedRequest(gateway, INFNO.queryByMsgid, { omsgid: `H64010400001${neverSent.slice(12)}` }),
    );
    expect(otherHospital.err_msg).toBe('只能查询本机构发出的报文');
  });

  it('shows the message log over HTTP, 404 for an unknown msgid', async () => {
    const request = signedRequest(gateway, INFNO.personQuery, query);
    const reply = await send(insurer, request);
    const found = await insurer.inject({ method: 'GET', url: `/sandbox/messages/${request.msgid}` });
    expect(found.json()).toEqual({
      msgid: request.msgid,
      infno: '1101',
      receivedAt: '2026-11-25T02:00:00.000Z',
      timesReceived: 1,
      signNo: '',
      signNoKnown: false,
      reply,
    });
    const missing = await insurer.inject({ method: 'GET', url: '/sandbox/messages/H64010600001202611251000009999' });
    expect(missing.statusCode).toBe(404);
  });

  it('9001 hands out a sign_no that later messages are recorded with', async () => {
    const signIn = await send(
      insurer,
      signedRequest(gateway, INFNO.signIn, { opter_no: 'D0001', mac: '00-1A-2B-3C-4D-5E', ip: '10.64.1.20' }),
    );
    expect(signIn.output).toEqual({ sign_no: expect.stringMatching(/^\d{20}$/), sign_time: '2026-11-25 10:00:00' });
    const { sign_no: signNo } = signIn.output as { sign_no: string };
    const later = signedRequest(gateway, INFNO.personQuery, query, { sign_no: signNo });
    await send(insurer, later);
    expect(insurer.message(later.msgid)).toMatchObject({ signNo, signNoKnown: true });
    const wrongOperator = await send(insurer, signedRequest(gateway, INFNO.signIn, { opter_no: 'D0002' }));
    expect(wrongOperator.err_msg).toBe('签到操作员 opter_no 与报文 opter 不一致');
  });

  it('registers a gateway key at run time', async () => {
    const second = createTestGateway({ cainfo: 'gw-second', clock: gateway.clock });
    const before = await send(insurer, signedRequest(second, INFNO.personQuery, query));
    expect(before.infcode).toBe(INFCODE.badSignature);
    const put = await insurer.inject({
      method: 'PUT',
      url: '/sandbox/gateway-keys/gw-second',
      payload: { publicKey: second.keys.publicKey },
    });
    expect(put.statusCode).toBe(204);
    const after = await send(insurer, signedRequest(second, INFNO.personQuery, query));
    expect(after.infcode).toBe(INFCODE.ok);
    expect(
      canonicalJson(Object.keys((await insurer.inject({ method: 'GET', url: '/sandbox/gateway-keys' })).json())),
    ).toBe('["gw-test-01","gw-second"]');
  });
});
