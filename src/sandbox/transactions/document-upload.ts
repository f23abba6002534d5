import { createHash } from 'node:crypto';
import { beijingDateTime } from '../../upstream/protocol/msgid';
import { optionalString, requireString } from '../input-fields';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';

/**
 * 9101 (national code of file upload; fields ours) document upload: the PDFs the rules make the
 * hospital send — relapse filing form (办法 20), rehab confirmation (办法 23), medical record
 * papers (协议 23), signed self-pay notices (协议 18).
 */
export const DOC_TYPES: Record<string, string> = {
  '01': '工伤复发就医备案表',
  '02': '工伤职工工伤康复申请确认表',
  '03': '病案首页',
  '04': '出院小结',
  '05': '费用明细清单',
  '06': '费用结算单',
  '07': '自费项目告知确认书',
};

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export interface DocumentUploadOutput {
  file_id: string;
  file_name: string;
  doc_type: string;
  size: number;
  sha256: string;
  upld_time: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function documentUpload(ctx: TxContext): TxResult<DocumentUploadOutput> {
  const fileName = requireString(ctx.input, 'file_name', '', { maxLength: 200 });
  const fileType = requireString(ctx.input, 'file_type');
  const sha256 = requireString(ctx.input, 'sha256', '', { pattern: /^[0-9a-fA-F]{64}$/, format: '64位十六进制' });
  const content = requireString(ctx.input, 'content_base64');
  const docType = requireString(ctx.input, 'doc_type');
  const psnNo = requireString(ctx.input, 'psn_no', '', { maxLength: 30 });
  const mdtrtId = optionalString(ctx.input, 'mdtrt_id', '', { maxLength: 30 });

  if (fileType !== 'pdf') {
    throw new Rejection('只接受 PDF 文件（file_type 应为 pdf）');
  }
  if (!fileName.toLowerCase().endsWith('.pdf')) {
    throw new Rejection('文件名 file_name 应以 .pdf 结尾');
  }
  if (!(docType in DOC_TYPES)) {
    throw new Rejection(`文书类型 doc_type 无效，应为 ${Object.keys(DOC_TYPES).join('、')}`);
  }
  if (!BASE64.test(content)) {
    throw new Rejection('content_base64 不是有效的 Base64 编码');
  }
  const bytes = Buffer.from(content, 'base64');
  if (bytes.length === 0) {
    throw new Rejection('文件内容为空');
  }
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    throw new Rejection('文件超过 10 MB');
  }
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new Rejection('文件内容不是 PDF');
  }
  if (createHash('sha256').update(bytes).digest('hex') !== sha256.toLowerCase()) {
    throw new Rejection('文件摘要 sha256 与内容不符，文件可能在传输中损坏');
  }
  if (ctx.people.byPersonNo(psnNo) === undefined) {
    throw new Rejection('人员编号 psn_no 不存在');
  }
  const fileId = ctx.ledger.nextId('FD', ctx.now);
  ctx.ledger.documents.set(fileId, {
    file_id: fileId,
    fixmedins_code: ctx.envelope.fixmedins_code,
    psn_no: psnNo,
    mdtrt_id: mdtrtId ?? null,
    doc_type: docType,
    file_name: fileName,
    sha256: sha256.toLowerCase(),
    size: bytes.length,
    at: ctx.now,
    content: bytes,
  });
  return {
    output: {
      file_id: fileId,
      file_name: fileName,
      doc_type: docType,
      size: bytes.length,
      sha256: sha256.toLowerCase(),
      upld_time: beijingDateTime(ctx.now),
    },
  };
}
