import { Body, Controller, Get, HttpCode, Param, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBodyDto, LargeBody, principalOf, RequireScopes } from '../../platform';
import { DischargeSummaryDataDto, MedicalRecordDataDto } from './his/his-documents.dto';
import { InpatientDocumentDto, SendDocumentDto, SentDocumentDto } from './inpatient-documents.dto';
import { DOCUMENT_ERRORS } from './inpatient-documents.errors';
import { InpatientDocumentsService } from './inpatient-documents.service';

/** The medical documents of inpatient settlements (R12): HIS sends two, everyone reads all four. */
@ApiTags('settlement')
@Controller('api/v1/settlement')
@RequireScopes('settlement')
export class InpatientDocumentsController {
  constructor(private readonly documents: InpatientDocumentsService) {}

  @Put('visits/:visitId/documents/:kind')
  @LargeBody()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'HIS sends the 病案首页 (medical-record) or 出院小结 (discharge-summary) of an inpatient visit as a PDF: kept with its SHA-256; the same content again changes nothing, a different one becomes the next version (the older kept); uploaded through 9101 once the visit is settled',
  })
  @ApiOkResponse({ type: SentDocumentDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'DOCUMENT_KIND_UNKNOWN, SETTLEMENT_VISIT_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'DOCUMENT_VISIT_NOT_INPATIENT' })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDto, description: 'DOCUMENT_NOT_PDF' })
  async send(
    @Param('visitId') visitId: string,
    @Param('kind') kind: string,
    @Body() body: SendDocumentDto,
    @Req() req: FastifyRequest,
  ): Promise<SentDocumentDto> {
    return this.documents.receive(principalOf(req), visitId, kind, body);
  }

  @Put('visits/:visitId/documents/medical-record/data')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'HIS sends the 病案首页 of a discharged inpatient visit as structured data: the gateway renders the PDF (templates/medical-record.json) and keeps it like a sent PDF (the same data again changes nothing)',
  })
  @ApiOkResponse({ type: SentDocumentDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_NOT_FOUND' })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: 'DOCUMENT_VISIT_NOT_INPATIENT, DOCUMENT_VISIT_NOT_DISCHARGED',
  })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDto, description: 'DOCUMENT_DATA_INVALID' })
  async sendMedicalRecord(
    @Param('visitId') visitId: string,
    @Body() body: MedicalRecordDataDto,
    @Req() req: FastifyRequest,
  ): Promise<SentDocumentDto> {
    return this.documents.receiveMedicalRecord(principalOf(req), visitId, body);
  }

  @Put('visits/:visitId/documents/discharge-summary/data')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'HIS sends the 出院小结 of a discharged inpatient visit as structured data: the gateway renders the PDF (templates/discharge-summary.json) and keeps it like a sent PDF',
  })
  @ApiOkResponse({ type: SentDocumentDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_NOT_FOUND' })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: 'DOCUMENT_VISIT_NOT_INPATIENT, DOCUMENT_VISIT_NOT_DISCHARGED',
  })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDto, description: 'DOCUMENT_DATA_INVALID' })
  async sendDischargeSummary(
    @Param('visitId') visitId: string,
    @Body() body: DischargeSummaryDataDto,
    @Req() req: FastifyRequest,
  ): Promise<SentDocumentDto> {
    return this.documents.receiveDischargeSummary(principalOf(req), visitId, body);
  }

  @Get('settlements/:id/documents')
  @ApiOperation({
    summary:
      "An inpatient settlement's four documents (03 病案首页, 04 出院小结, 05 费用明细清单, 06 费用结算单): current version, SHA-256, upload status and the insurer's file_id",
  })
  @ApiOkResponse({ type: InpatientDocumentDto, isArray: true })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'DOCUMENT_SETTLEMENT_NOT_INPATIENT' })
  async list(@Param('id') id: string): Promise<InpatientDocumentDto[]> {
    return this.documents.ofSettlement(id);
  }

  @Get('settlements/:id/documents/:docType/pdf')
  @ApiOperation({ summary: 'One document as a PDF: the current version, or ?version=n (every version is kept)' })
  @ApiQuery({ name: 'version', required: false, type: Number })
  @ApiProduces('application/pdf')
  @ApiOkResponse({
    description: 'The PDF (x-content-sha256: its SHA-256)',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'DOCUMENT_SETTLEMENT_NOT_INPATIENT, DOCUMENT_NOT_FOUND' })
  async pdf(
    @Param('id') id: string,
    @Param('docType') docType: string,
    @Query('version') version: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    if (version !== undefined && !/^[1-9]\d{0,5}$/.test(version)) {
      throw DOCUMENT_ERRORS.raise('DOCUMENT_NOT_FOUND', { message: 'version 应为正整数（第几版）' });
    }
    const { bytes, sha256 } = await this.documents.pdf(
      id,
      docType,
      version === undefined ? undefined : Number(version),
    );
    void reply.header('content-type', 'application/pdf');
    void reply.header('content-disposition', `inline; filename="${id}-${docType}.pdf"`);
    void reply.header('x-content-sha256', sha256);
    void reply.header('cache-control', 'no-store');
    return bytes;
  }
}
