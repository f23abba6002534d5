import fc from 'fast-check';
import {
  commandApdu,
  driverCodeToStatusWord,
  formatStatusWord,
  parseResponse,
  statusWordText,
  statusWordToDriverCode,
} from './apdu';
import { ProtocolError } from './protocol-error';

describe('apdu', () => {
  describe(commandApdu.name, () => {
    it('builds the four ISO 7816 cases', () => {
      expect(commandApdu(0x00, 0xa4, 0x00, 0x00).toString('hex')).toBe('00a40000');
      expect(commandApdu(0x00, 0x84, 0x00, 0x00, undefined, 8).toString('hex')).toBe('0084000008');
      expect(commandApdu(0x00, 0xa4, 0x02, 0x00, Buffer.from([0xef, 0x05])).toString('hex')).toBe('00a4020002ef05');
      expect(commandApdu(0x00, 0x88, 0x00, 0x01, Buffer.from([1, 2]), 0).toString('hex')).toBe('008800010201020' + '0');
    });

    it('refuses parameters that are not bytes and data over 255 bytes', () => {
      expect(() => commandApdu(0x100, 0, 0, 0)).toThrow(ProtocolError);
      expect(() => commandApdu(0, 0, -1, 0)).toThrow(expect.objectContaining({ code: 'APDU_BAD_PARAMETER' }));
      expect(() => commandApdu(0, 0, 0, 0, Buffer.alloc(256))).toThrow(
        expect.objectContaining({ code: 'APDU_DATA_TOO_LONG' }),
      );
    });
  });

  describe(parseResponse.name, () => {
    it('splits data and status word', () => {
      const r = parseResponse(Buffer.from('0102039000', 'hex'));
      expect(r).toEqual({ data: Buffer.from([1, 2, 3]), sw: 0x9000, swText: '成功', ok: true });
    });

    it('is not ok for anything but 90 00, including 61 xx', () => {
      expect(parseResponse(Buffer.from('6A82', 'hex'))).toMatchObject({ sw: 0x6a82, ok: false, swText: '未找到文件' });
      expect(parseResponse(Buffer.from('6110', 'hex'))).toMatchObject({ ok: false, swText: '还有16字节数据待取' });
    });

    it('refuses a response without a status word', () => {
      expect(() => parseResponse(Buffer.from([0x90]))).toThrow(
        expect.objectContaining({ code: 'APDU_RESPONSE_TOO_SHORT' }),
      );
      expect(() => parseResponse(Buffer.alloc(0))).toThrow(ProtocolError);
    });

    it('never throws anything but a ProtocolError on random bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          try {
            const r = parseResponse(bytes);
            expect(r.data.length).toBe(bytes.length - 2);
            expect(typeof r.swText).toBe('string');
          } catch (err) {
            expect(err).toBeInstanceOf(ProtocolError);
          }
        }),
      );
    });
  });

  describe('status words', () => {
    it.each([
      [0x9000, '成功'],
      [0x6a82, '未找到文件'],
      [0x6982, '不满足安全状态（需要认证）'],
      [0x6a83, '未找到记录'],
      [0x6d00, '不支持该命令（INS错误）'],
      [0x6e00, '不支持该命令类别（CLA错误）'],
      [0x6700, '长度错误（Lc/Le不正确）'],
      [0x6c12, 'Le错误，应为18字节'],
      [0x63c2, '认证失败，还可尝试2次'],
      [0x1234, '未知状态字1234'],
    ])('%s has a Chinese text', (sw, text) => {
      expect(statusWordText(sw)).toBe(text);
    });

    it('maps status words to the ministry DLL codes and back', () => {
      expect(statusWordToDriverCode(0x6a82)).toBe(-27266);
      expect(statusWordToDriverCode(0x6982)).toBe(-27010);
      expect(statusWordToDriverCode(0x63c0)).toBe(-25536);
      expect(statusWordToDriverCode(0x6700)).toBe(-26368);
      expect(statusWordToDriverCode(0x9000)).toBe(0);
      expect(driverCodeToStatusWord(-27266)).toBe(0x6a82);
      expect(driverCodeToStatusWord(0)).toBe(0x9000);
      expect(driverCodeToStatusWord(-2201)).toBeUndefined(); // 无PSAM卡: the DLL's own code
      expect(driverCodeToStatusWord(-21)).toBeUndefined();
    });

    it('round-trips every status word through the driver code', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0x6100, max: 0x6fff }), (sw) => {
          expect(driverCodeToStatusWord(statusWordToDriverCode(sw))).toBe(sw);
        }),
      );
    });

    it('formats as the documentation writes them', () => {
      expect(formatStatusWord(0x6a82)).toBe('6A82');
    });
  });
});
