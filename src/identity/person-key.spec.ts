import { SEED } from '../sandbox/seed-people';
import { decodeKeyring, generateKeyringDocument, PiiCryptoService, rotateKeyringDocument } from '../platform';
import { personKey, personKeyCandidates, personKeys } from './person-key';

describe(personKeyCandidates.name, () => {
  it('offers every string of the decrypted JSON as the person key hashes it, valid ID numbers first', () => {
    const certno = SEED.activeFingers.certno;
    const json = JSON.stringify({
      note: 'a remark of the desk',
      nested: { list: [certno.toLowerCase(), 42, null], name: '马建国' },
    });
    const candidates = personKeyCandidates(json);
    expect(candidates[0]).toBe(certno.toUpperCase());
    expect(candidates).toContain('A REMARK OF THE DESK');
    expect(candidates).not.toContain('马建国');
  });
});

describe(personKeys.name, () => {
  it('gives the person key under each lookup key, the active one first', () => {
    const aesDoc = generateKeyringDocument('k1', 'aes-256-gcm');
    const aes = new PiiCryptoService(decodeKeyring(aesDoc));
    const sm4 = new PiiCryptoService(decodeKeyring(rotateKeyringDocument(aesDoc, { algorithm: 'sm4-gcm' })));
    const certno = SEED.activeFingers.certno;
    expect(personKeys(sm4, certno)).toEqual([personKey(sm4, certno), personKey(aes, certno)]);
  });
});
