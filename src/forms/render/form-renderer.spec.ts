import { relapseSample, selfPaySample, signaturePng } from '../../../test/support/form-samples';
import { formKind } from '../kinds/form-kinds';
import { FormCharacterError } from '../forms.errors';
import { FormRenderer } from './form-renderer';

describe('FormRenderer', () => {
  const renderer = new FormRenderer();
  const relapse = formKind('relapse-filing');

  it('the bundled font draws GB 2312 and the rare surname characters of its coverage', () => {
    for (const ch of ['㛃', '曌', '龑', '䶮', '喆', '堃', '赟', '玥', '犇', '·']) {
      expect([ch, renderer.font.has(ch.codePointAt(0)!)]).toEqual([ch, true]);
    }
    const gb2312 = new TextDecoder('gb18030');
    let missing = 0;
    for (let hi = 0xb0; hi <= 0xf7; hi++) {
      for (let lo = 0xa1; lo <= 0xfe; lo++) {
        const ch = gb2312.decode(Buffer.from([hi, lo]));
        const cp = ch.codePointAt(0)!;
        if (ch !== '\ufffd' && !(cp >= 0xe000 && cp < 0xf900) && !renderer.font.has(cp)) {
          missing++;
        }
      }
    }
    expect(missing).toBe(0);
  });

  it('a character outside the font is refused before drawing, naming the field, the character and its code point', async () => {
    const values = { ...relapseSample(), name: '𠮷野', address: '银川市\uE001路' };
    const err = await renderer.render({ spec: relapse, values }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FormCharacterError);
    const e = err as FormCharacterError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('FORM_CHARACTER_NOT_IN_FONT');
    expect(e.details).toEqual([
      expect.objectContaining({
        field: 'name',
        code: 'CHAR_NOT_IN_FONT',
        context: { char: '𠮷', codePoint: 'U+20BB7' },
      }),
      expect.objectContaining({
        field: 'address',
        code: 'CHAR_NOT_IN_FONT',
        context: { char: '\uE001', codePoint: 'U+E001' },
      }),
    ]);
    expect(e.details![0].message).toContain('“𠮷”(U+20BB7)');
  });

  it('checks table cells by their path', () => {
    const values = selfPaySample();
    (values.items as Record<string, string>[])[1].reason = '目录外𠮷';
    expect(renderer.missingCharacters(formKind('self-pay-consent').template, { values })).toEqual([
      expect.objectContaining({ field: 'items[1].reason', context: { char: '𠮷', codePoint: 'U+20BB7' } }),
    ]);
  });

  it('renders a PDF with fixed dates byte-for-byte repeatably, signature included', async () => {
    const request = {
      spec: relapse,
      values: relapseSample(),
      signature: { png: signaturePng(), date: '2026-03-06' },
      createdAt: new Date('2026-03-06T02:00:00Z'),
    };
    const a = await renderer.render(request);
    const b = await renderer.render(request);
    expect(a.subarray(0, 5).toString()).toBe('%PDF-');
    expect(a.equals(b)).toBe(true);
  });

  it('refuses a signature that is not a PNG and a malformed date', async () => {
    await expect(
      renderer.render({
        spec: relapse,
        values: relapseSample(),
        signature: { png: Buffer.from('GIF89a'), date: '6.3.2026' },
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [
        expect.objectContaining({ field: 'signature.date' }),
        expect.objectContaining({ field: 'signature.png' }),
      ],
    });
  });

  it('a system font path that cannot be read fails at start, naming the option', () => {
    expect(() => new FormRenderer({ fontPath: '/nonexistent/font.ttc' })).toThrow(
      /forms\.fontPath.*\/nonexistent\/font\.ttc/,
    );
  });
});
