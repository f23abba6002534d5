import { decodeKeyring, generateKeyringDocument, KeyringError, rotateKeyringDocument } from './keyring';
import { normalizeForHash, PiiCryptoService, PiiDecryptError } from './pii-crypto.service';

describe(PiiCryptoService.name, () => {
  const doc = generateKeyringDocument('k1');
  const sut = new PiiCryptoService(decodeKeyring(doc));

  it('round-trips and never stores the plaintext', () => {
    const ct = sut.encrypt('张三', 'worker.name');
    expect(ct).toMatch(/^pii1:k1:[A-Za-z0-9_-]+$/);
    expect(ct).not.toContain('张三');
    expect(sut.decrypt(ct, 'worker.name')).toBe('张三');
  });

  it('uses a fresh IV each time', () => {
    expect(sut.encrypt('11010519491231002X', 'worker.idNumber')).not.toBe(
      sut.encrypt('11010519491231002X', 'worker.idNumber'),
    );
  });

  it('refuses a ciphertext moved to another field (context is authenticated)', () => {
    const ct = sut.encrypt('张三', 'worker.name');
    expect(() => sut.decrypt(ct, 'worker.address')).toThrow(PiiDecryptError);
  });

  it('refuses a tampered ciphertext', () => {
    const ct = sut.encrypt('张三', 'worker.name');
    const tampered = ct.slice(0, -2) + (ct.endsWith('A') ? 'BB' : 'AA');
    expect(() => sut.decrypt(tampered, 'worker.name')).toThrow(PiiDecryptError);
  });

  it('decrypts old values after rotation and encrypts new ones with the new key', () => {
    const old = sut.encrypt('13812345678', 'worker.phone');
    const rotated = new PiiCryptoService(decodeKeyring(rotateKeyringDocument(doc, 'k2')));
    expect(rotated.decrypt(old, 'worker.phone')).toBe('13812345678');
    const fresh = rotated.encrypt('13812345678', 'worker.phone');
    expect(rotated.keyIdOf(fresh)).toBe('k2');
    expect(() => sut.decrypt(fresh, 'worker.phone')).toThrow(/k2 is not in the keyring/);
  });

  it('hashes equal values equally after normalisation, and apart across domains and keys', () => {
    expect(sut.hash('11010519491231002x', 'idno')).toBe(sut.hash('１１０１０５１９４９１２３１００２Ｘ', 'idno'));
    expect(sut.hash('11010519491231002X', 'idno')).not.toBe(sut.hash('11010519491231002X', 'phone'));
    const other = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k1')));
    expect(other.hash('11010519491231002X', 'idno')).not.toBe(sut.hash('11010519491231002X', 'idno'));
    expect(sut.hash('x', 'd')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the hash key across rotations so lookups keep working', () => {
    const rotated = new PiiCryptoService(decodeKeyring(rotateKeyringDocument(doc, 'k3')));
    expect(rotated.hash('11010519491231002X', 'idno')).toBe(sut.hash('11010519491231002X', 'idno'));
  });
});

describe(decodeKeyring.name, () => {
  it('says what is wrong with a bad keyring', () => {
    const doc = generateKeyringDocument('a');
    expect(() => decodeKeyring({ ...doc, active: 'zzz' })).toThrow(KeyringError);
    expect(() => decodeKeyring({ ...doc, keys: [{ id: 'a', key: Buffer.alloc(16).toString('base64') }] })).toThrow(
      /exactly 32 bytes/,
    );
    expect(() => decodeKeyring({ ...doc, hmacKey: Buffer.alloc(8).toString('base64') })).toThrow(/at least 32 bytes/);
  });
});

describe(normalizeForHash.name, () => {
  it('folds full-width characters, spaces and case', () => {
    expect(normalizeForHash(' １１０１０５ 19491231002x ')).toBe('11010519491231002X');
  });
});
