import fc from 'fast-check';
import { decodeGbk, encodeGbk, tryDecodeGbk, tryDecodeUtf8 } from './gbk-codec';
import { ProtocolError } from './protocol-error';

describe('gbk-codec', () => {
  it('encodes the SSSE application name as in the select APDU', () => {
    expect(encodeGbk('sx1.sh.社会保障').toString('hex').toUpperCase()).toBe('7378312E73682EC9E7BBE1B1A3D5CF');
  });

  it('keeps the middle dot of minority names (A1A4)', () => {
    const bytes = encodeGbk('买买提·艾力');
    expect(bytes.toString('hex').toUpperCase()).toBe('C2F2C2F2CCE1A1A4B0ACC1A6');
    expect(decodeGbk(bytes)).toBe('买买提·艾力');
  });

  it('refuses characters GBK cannot hold', () => {
    expect(() => encodeGbk('张😀')).toThrow(ProtocolError);
    expect(() => encodeGbk('张😀')).toThrow(expect.objectContaining({ code: 'GBK_UNENCODABLE' }));
  });

  it('tells valid from invalid input', () => {
    expect(tryDecodeGbk(Buffer.from([0xc2]))).toBeUndefined();
    expect(tryDecodeUtf8(Buffer.from('C2F2', 'hex'))).toBeUndefined();
    expect(tryDecodeUtf8(Buffer.from('马', 'utf8'))).toBe('马');
  });

  it('round-trips text made of GBK characters', () => {
    const sample = [...'社会保障卡宁夏银川回族马晓燕买买提·艾力阿卜杜热合曼ABCxyz0129 -'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...sample), { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        expect(decodeGbk(encodeGbk(text))).toBe(text);
      }),
    );
  });
});
