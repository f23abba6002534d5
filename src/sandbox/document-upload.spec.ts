import { createHash } from 'node:crypto';
import { INFNO } from '../upstream/protocol/transactions';
import { SandboxInsurer } from './sandbox-insurer';
import { SEED } from './seed-people';
import { createTestGateway, send, signedRequest } from '../../test/support/test-gateway';
import { PinnedClock } from '../../test/support/pinned-clock';

/** 9101 document upload: the relapse form and other PDFs the rules make the hospital send. */
describe('sandbox insurer 9101 document upload', () => {
  const clock = new PinnedClock(new Date('2026-11-25T02:00:00Z'));
  const gateway = createTestGateway({ clock });
  let insurer: SandboxInsurer;
  const pdf = Buffer.from(
    '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    'latin1',
  );
  const upload = {
    file_name: '工伤复发就医备案表.pdf',
    file_type: 'pdf',
    sha256: createHash('sha256').update(pdf).digest('hex'),
    content_base64: pdf.toString('base64'),
    doc_type: '01',
    psn_no: SEED.activeFingers.psn_no,
  };
  const ask = (input: object) => send(insurer, signedRequest(gateway, INFNO.documentUpload, input));

  beforeAll(() => {
    insurer = new SandboxInsurer({ gatewayKeys: { [gateway.cainfo]: gateway.keys.publicKey }, clock });
  });
  afterAll(async () => {
    await insurer.stop();
  });

  it('stores a PDF whose sha256 matches and answers a file_id', async () => {
    const reply = await ask(upload);
    expect(reply.err_msg).toBeNull();
    expect(reply.output).toEqual({
      file_id: expect.stringMatching(/^FD20261125100000\d{6}$/),
      file_name: '工伤复发就医备案表.pdf',
      doc_type: '01',
      size: pdf.length,
      sha256: upload.sha256,
      upld_time: '2026-11-25 10:00:00',
    });
  });

  it('refuses a wrong digest, a non-PDF, bad base64, an unknown doc_type or person', async () => {
    const png = Buffer.from('\x89PNG\r\n\x1a\n', 'latin1');
    const cases: Array<[object, string]> = [
      [{ sha256: '0'.repeat(64) }, '文件摘要 sha256 与内容不符，文件可能在传输中损坏'],
      [
        { content_base64: png.toString('base64'), sha256: createHash('sha256').update(png).digest('hex') },
        '文件内容不是 PDF',
      ],
      [{ content_base64: 'JVBERi0x%%%' }, 'content_base64 不是有效的 Base64 编码'],
      [{ file_type: 'docx' }, '只接受 PDF 文件（file_type 应为 pdf）'],
      [{ doc_type: '99' }, '文书类型 doc_type 无效，应为 01、02、03、04、05、06、07'],
      [{ psn_no: '6400000000000000' }, '人员编号 psn_no 不存在'],
      [{ sha256: undefined }, '缺少必填字段 sha256'],
    ];
    for (const [override, message] of cases) {
      const reply = await ask({ ...upload, ...override });
      expect(reply.err_msg).toBe(message);
    }
  });

  it('keeps what arrived: GET /sandbox/documents lists it by person, visit or type; …/content gives the file back', async () => {
    const reply = await ask({ ...upload, doc_type: '03', mdtrt_id: 'ZY20261125001' });
    const fileId = (reply.output as { file_id: string }).file_id;
    const listed = await insurer.inject({ method: 'GET', url: '/sandbox/documents?mdtrt_id=ZY20261125001' });
    expect(listed.json()).toEqual([
      {
        file_id: fileId,
        fixmedins_code: expect.any(String),
        psn_no: upload.psn_no,
        mdtrt_id: 'ZY20261125001',
        doc_type: '03',
        file_name: upload.file_name,
        sha256: upload.sha256,
        size: pdf.length,
        upld_time: '2026-11-25T02:00:00.000Z',
      },
    ]);
    expect((await insurer.inject({ method: 'GET', url: '/sandbox/documents?doc_type=04' })).json()).toEqual([]);
    const content = await insurer.inject({ method: 'GET', url: `/sandbox/documents/${fileId}/content` });
    expect(content.headers['content-type']).toBe('application/pdf');
    expect(content.rawPayload.equals(pdf)).toBe(true);
    expect((await insurer.inject({ method: 'GET', url: '/sandbox/documents/FD0/content' })).statusCode).toBe(404);
  });
});
