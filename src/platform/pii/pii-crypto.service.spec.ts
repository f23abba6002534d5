import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { decodeKeyring, generateKeyringDocument, KeyringError, rotateKeyringDocument } from './keyring';
import type { PiiKeyringConfig } from '../config/gateway-config';
import { normalizeForHash, PiiCryptoService, PiiDecryptError } from './pii-crypto.service';

/** A keyring as written before SM4: AES keys without an algorithm, one never-rotating hmacKey. */
function aesEraDocument(): { active: string; keys: { id: string; key: string }[]; hmacKey: string } {
  return {
    active: 'k1',
    keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }],
    hmacKey: randomBytes(32).toString('base64'),
  };
}

/** A `pii1:` ciphertext made exactly as the gateway made them before SM4. */
function pii1(key: Buffer, keyId: string, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `pii1:${keyId}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`;
}

describe(PiiCryptoService.name, () => {
  const doc = generateKeyringDocument('k1');
  const sut = new PiiCryptoService(decodeKeyring(doc));

  it('encrypts new values with SM4-GCM, naming the algorithm and key, and never stores the plaintext', () => {
    const ct = sut.encrypt('张三', 'worker.name');
    expect(ct).toMatch(/^pii2:sm4:k1:[A-Za-z0-9_-]+$/);
    expect(ct).not.toContain('张三');
    expect(sut.decrypt(ct, 'worker.name')).toBe('张三');
    expect(sut.labelOf(ct)).toMatchObject({ algorithm: 'sm4-gcm', keyId: 'k1' });
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
    expect(() => sut.decrypt(tampered, 'worker.name')).toThrow(/failed authentication/);
  });

  it('reads an AES-era database and keyring unchanged: pii1 values and HMAC-SHA256 hashes', () => {
    const old = aesEraDocument();
    const key = Buffer.from(old.keys[0].key, 'base64');
    const aes = new PiiCryptoService(decodeKeyring(old));
    expect(aes.decrypt(pii1(key, 'k1', '马建国', 'worker.name'), 'worker.name')).toBe('马建国');
    const before = createHmac('sha256', Buffer.from(old.hmacKey, 'base64'))
      .update('idno\u000011010519491231002X')
      .digest('hex');
    expect(aes.hash('11010519491231002x', 'idno')).toBe(before);
    expect(aes.encrypt('x', 'c')).toMatch(/^pii2:aes:k1:/);
  });

  it('refuses a ciphertext whose algorithm is not its key’s', () => {
    const old = aesEraDocument();
    const aes = new PiiCryptoService(decodeKeyring(old));
    const ct = aes.encrypt('马建国', 'worker.name');
    expect(() => aes.decrypt(ct.replace('pii2:aes:', 'pii2:sm4:'), 'worker.name')).toThrow(/says sm4-gcm but key k1/);
  });

  it('rotates AES → SM4: old values still decrypt, new ones are SM4, lookups find both hashes', () => {
    const old = aesEraDocument();
    const aes = new PiiCryptoService(decodeKeyring(old));
    const stored = aes.encrypt('13812345678', 'worker.phone');
    const storedHash = aes.hash('11010519491231002X', 'idno');
    const rotated = new PiiCryptoService(
      decodeKeyring(rotateKeyringDocument(old, { keyId: 'k2', algorithm: 'sm4-gcm' })),
    );
    expect(rotated.decrypt(stored, 'worker.phone')).toBe('13812345678');
    const fresh = rotated.encrypt('13812345678', 'worker.phone');
    expect(rotated.labelOf(fresh)).toMatchObject({ algorithm: 'sm4-gcm', keyId: 'k2' });
    expect(() => aes.decrypt(fresh, 'worker.phone')).toThrow(/k2 is not in the keyring/);
    const hashes = rotated.hashes('11010519491231002X', 'idno');
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).toBe(rotated.hash('11010519491231002X', 'idno'));
    expect(hashes[0]).not.toBe(storedHash);
    expect(hashes[1]).toBe(storedHash);
    expect(rotated.stableHash('t', 'token')).toBe(aes.hash('t', 'token'));
  });

  it('goes back to the older lookup key when a rotation returns to its algorithm', () => {
    const old = aesEraDocument();
    const there = rotateKeyringDocument(old, { keyId: 'k2', algorithm: 'sm4-gcm' });
    const back = decodeKeyring(rotateKeyringDocument(there, { keyId: 'k3', algorithm: 'aes-256-gcm' }));
    expect(back.activeLookupId).toBe('legacy');
    expect(back.lookupKeys.map((k) => k.algorithm)).toEqual(['hmac-sha256', 'hmac-sm3']);
    expect(new PiiCryptoService(back).hash('x', 'd')).toBe(new PiiCryptoService(decodeKeyring(old)).hash('x', 'd'));
  });

  it('keeps the lookup key across a rotation between two SM4 keys', () => {
    const rotated = new PiiCryptoService(decodeKeyring(rotateKeyringDocument(doc, { keyId: 'k3' })));
    expect(rotated.activeAlgorithm).toBe('sm4-gcm');
    expect(rotated.hashes('11010519491231002X', 'idno')).toEqual([sut.hash('11010519491231002X', 'idno')]);
  });

  it('hashes equal values equally after normalisation, and apart across domains and keys', () => {
    expect(sut.hash('11010519491231002x', 'idno')).toBe(sut.hash('１１０１０５１９４９１２３１００２Ｘ', 'idno'));
    expect(sut.hash('11010519491231002X', 'idno')).not.toBe(sut.hash('11010519491231002X', 'phone'));
    const other = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k1')));
    expect(other.hash('11010519491231002X', 'idno')).not.toBe(sut.hash('11010519491231002X', 'idno'));
    expect(sut.hash('x', 'd')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe(decodeKeyring.name, () => {
  it('says what is wrong with a bad keyring', () => {
    const doc = generateKeyringDocument('a');
    expect(() => decodeKeyring({ ...doc, active: 'zzz' })).toThrow(KeyringError);
    expect(() =>
      decodeKeyring({ ...doc, keys: [{ id: 'a', algorithm: 'sm4-gcm', key: Buffer.alloc(32).toString('base64') }] }),
    ).toThrow(/\(sm4-gcm\) must be base64 of exactly 16 bytes/);
    expect(() => decodeKeyring({ ...aesEraDocument(), hmacKey: Buffer.alloc(8).toString('base64') })).toThrow(
      /at least 32 bytes/,
    );
    expect(() => decodeKeyring({ ...doc, keys: [{ id: 'a', algorithm: 'des' as never, key: 'x' }] })).toThrow(
      /keys\.0\.algorithm: expected one of sm4-gcm, aes-256-gcm/,
    );
    const { lookupKeys: _unused, ...noLookup } = doc;
    expect(() => decodeKeyring(noLookup)).toThrow(/no lookup key/);
    const aesLookup = { ...doc, hmacKey: Buffer.alloc(32, 1).toString('base64'), activeLookup: 'legacy' };
    expect(() => decodeKeyring(aesLookup)).toThrow(/active lookup key must be hmac-sm3/);
  });
});

describe(normalizeForHash.name, () => {
  it('folds full-width characters, spaces and case', () => {
    expect(normalizeForHash(' １１０１０５ 19491231002x ')).toBe('11010519491231002X');
  });
});

describe('an instance not yet restarted after a rotation', () => {
  const before = aesEraDocument();
  const after = rotateKeyringDocument(before, { keyId: 'k2', algorithm: 'sm4-gcm' });
  const restarted = new PiiCryptoService(decodeKeyring(after));

  it('reads a value made with the new key by re-reading its keyring file, and keeps writing with its own key', () => {
    // Time stands still: the "once a second" re-read does not depend on how fast this machine is.
    jest.useFakeTimers({ now: new Date('2026-12-04T08:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    try {
      rereadWithNewKey();
    } finally {
      jest.useRealTimers();
    }
  });

  function rereadWithNewKey(): void {
    let file: PiiKeyringConfig = before;
    let reads = 0;
    const old = new PiiCryptoService(decodeKeyring(before), () => {
      reads += 1;
      return decodeKeyring(file);
    });
    const stable = old.stableHash('x', 'd');
    const fromRestarted = restarted.encrypt('张三', 'worker.name');
    // The file is not rotated here yet: the value stays unreadable, and the file is not read again within a second.
    expect(() => old.decrypt(fromRestarted, 'worker.name')).toThrow(/PII key k2 is not in the keyring/);
    expect(() => old.decrypt(fromRestarted, 'worker.name')).toThrow(/PII key k2 is not in the keyring/);
    expect(reads).toBe(1);

    file = after; // the rotated file is put on this instance
    expect(old.refresh()).toEqual(['k2', expect.any(String)]);
    expect(old.decrypt(fromRestarted, 'worker.name')).toBe('张三');
    // Lookups find rows the restarted instance keyed with its HMAC-SM3 lookup key.
    expect(old.hashes('640104198503120017', 'person.idNumber')).toContain(
      restarted.hash('640104198503120017', 'person.idNumber'),
    );
    // It writes with its own active key until restarted; derived secrets do not move.
    expect(old.encrypt('李四', 'worker.name')).toMatch(/^pii2:aes:k1:/);
    expect(old.activeKeyId).toBe('k1');
    expect(old.stableHash('x', 'd')).toBe(stable);
    expect(old.refresh()).toEqual([]);
  }

  it('reads the file at once when it meets a value made with a key it does not know', () => {
    const old = new PiiCryptoService(decodeKeyring(before), () => decodeKeyring(after));
    expect(old.decrypt(restarted.encrypt('王五', 'worker.name'), 'worker.name')).toBe('王五');
  });

  it('does not take keys from a different keyring under the same id', () => {
    const old = new PiiCryptoService(decodeKeyring(before), () => decodeKeyring(aesEraDocument()));
    expect(() => old.refresh()).toThrow(KeyringError);
    expect(() => old.refresh()).toThrow(/differs from the one in use/);
    expect(old.keyIds).toEqual(['k1']);
  });
});
