import request from 'supertest';

/** Posts to the gateway's API with a key (each spec's `send`). */
export type PostToGateway = (method: 'post', path: string, body?: object) => request.Test;

/**
 * A MATCH verification token for a worker at a visit, as a desk gets it: HIS opens a session with
 * the worker's identity, the worker shows the e-card QR code the sandbox insurer minted.
 */
export async function matchTokenByQr(
  send: PostToGateway,
  insurerUrl: string,
  worker: { certno: string; psn_name: string },
  visitId: string,
  desk = '门诊挂号1',
  visitKind: 'outpatient' | 'inpatient' = 'outpatient',
): Promise<string> {
  const session = (
    await send('post', '/api/v1/identity/sessions', {
      desk,
      visitId,
      visitKind,
      hisIdentity: { idNumber: worker.certno, name: worker.psn_name },
    }).expect(201)
  ).body as { id: string };
  const qr = (
    (await request(insurerUrl).post('/sandbox/qr-tokens').send({ certno: worker.certno, kind: 'ecard' }).expect(201))
      .body as { token: string }
  ).token;
  const match = (await send('post', `/api/v1/identity/sessions/${session.id}/qr`, { text: qr }).expect(200)).body as {
    verdict: string;
    token: string;
  };
  if (match.verdict !== 'MATCH') {
    throw new Error(`expected MATCH for ${visitId}, got ${match.verdict}`);
  }
  return match.token;
}
