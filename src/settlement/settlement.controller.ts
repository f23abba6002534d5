import { idempotencyKeyOf, sendSettleAnswer } from './settle-http';
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_PAGE_SIZE, ErrorBodyDto, LargeBody, PageQueryDto, principalOf, RequireScopes } from '../platform';
import { CatalogueImportService } from './catalogue-import.service';
import { CatalogueMappingService } from './catalogue-mapping.service';
import { FeeLinesService } from './fee-lines.service';
import { PreAuditService } from './pre-audit.service';
import { SettleService } from './settle.service';
import { SettlementCancelService } from './settlement-cancel.service';
import { SettlementReadingService } from './settlement-reading.service';
import { SettlementStatementService } from './settlement-statement.service';
import { SettlementTrialService } from './settlement-trial.service';
import {
  CatalogueImportDto,
  CatalogueImportReportDto,
  CatalogueItemDetailDto,
  CatalogueVersionDto,
} from './catalogue.dto';
import { CancelSettlementDto, SettleRequestDto, SettlementDto, SettlementTrialDto } from './settlement.dto';
import {
  FeeLineBatchDto,
  FeeLineBatchResultDto,
  FeeLineDto,
  OpenVisitDto,
  PreAuditDto,
  PreAuditRequestDto,
  UpdateVisitDto,
  VisitDetailDto,
  VisitDto,
  VisitListQueryDto,
} from './visits.dto';
import { VisitsService } from './visits.service';

@ApiTags('settlement')
@Controller('api/v1/settlement')
@RequireScopes('settlement')
export class SettlementController {
  constructor(
    private readonly imports: CatalogueImportService,
    private readonly mapping: CatalogueMappingService,
    private readonly visits: VisitsService,
    private readonly feeLines: FeeLinesService,
    private readonly preAudits: PreAuditService,
    private readonly trials: SettlementTrialService,
    private readonly settling: SettleService,
    private readonly settlements: SettlementReadingService,
    private readonly cancels: SettlementCancelService,
    private readonly statements: SettlementStatementService,
  ) {}

  @Post('catalogue/imports')
  @LargeBody()
  @ApiOperation({
    summary:
      'Import the hospital’s catalogue mapping file (编码比对, CSV as Base64): a new current version, or the report only (dryRun)',
  })
  @ApiCreatedResponse({ type: CatalogueImportReportDto, description: 'Stored as a new version, now current' })
  @ApiOkResponse({ type: CatalogueImportReportDto, description: 'A dry run, or the same file as the current version' })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description:
      'CATALOGUE_IMPORT_INVALID (details: one per error row, context.row / hisCode / en), CATALOGUE_HEADER_MISSING, CATALOGUE_FILE_NOT_CSV, …',
  })
  async importCatalogue(
    @Body() body: CatalogueImportDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CatalogueImportReportDto> {
    const report = await this.imports.import(
      principalOf(req),
      { name: body.fileName, bytes: Buffer.from(body.contentBase64, 'base64') },
      { dryRun: body.dryRun, note: body.note },
    );
    reply.status(report.outcome === 'stored' ? 201 : 200);
    return report;
  }

  @Get('catalogue/versions')
  @ApiOperation({ summary: 'Mapping versions, newest first (which one is current)' })
  @ApiOkResponse({ type: [CatalogueVersionDto] })
  async versions(@Query() query: PageQueryDto): Promise<CatalogueVersionDto[]> {
    return this.mapping.listVersions(query.limit ?? DEFAULT_PAGE_SIZE, query.before);
  }

  @Get('catalogue/items/:hisCode')
  @ApiOperation({ summary: 'A HIS item code: its mapping in the current version and in every version that lists it' })
  @ApiOkResponse({ type: CatalogueItemDetailDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'CATALOGUE_ITEM_NOT_FOUND' })
  async item(@Param('hisCode') hisCode: string): Promise<CatalogueItemDetailDto> {
    return this.mapping.item(hisCode);
  }

  @Post('visits')
  @ApiOperation({ summary: 'Open an outpatient visit or an inpatient stay (idempotent by the HIS visit id)' })
  @ApiCreatedResponse({ type: VisitDto, description: 'Opened' })
  @ApiOkResponse({ type: VisitDto, description: 'The same opening again: nothing changed' })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: 'SETTLEMENT_VISIT_CONFLICT (details: the fields that differ)',
  })
  @ApiHeader({
    name: 'x-verification-token',
    required: false,
    description:
      'Inpatient admission: the MATCH token for this visit; with it a cross-province worker without a filing valid on the admission day is refused (R11)',
  })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_CROSS_PROVINCE_FILING' })
  async openVisit(
    @Body() body: OpenVisitDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('x-verification-token') token: string | undefined,
  ): Promise<VisitDto> {
    const opened = await this.visits.open(principalOf(req), body, token);
    reply.status(opened.created ? 201 : 200);
    return opened.visit;
  }

  @Get('visits')
  @ApiOperation({ summary: 'Visits, newest first (keyset-paged; optionally one worker’s, or by state)' })
  @ApiOkResponse({ type: [VisitDto] })
  async listVisits(@Query() query: VisitListQueryDto): Promise<VisitDto[]> {
    return this.visits.list(query);
  }

  @Get('visits/:visitId')
  @ApiOperation({ summary: 'A visit with every fee line (withdrawn ones shown as such)' })
  @ApiOkResponse({ type: VisitDetailDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_NOT_FOUND' })
  async visit(@Param('visitId') visitId: string): Promise<VisitDetailDto> {
    return this.visits.get(visitId);
  }

  @Patch('visits/:visitId')
  @ApiOperation({
    summary: 'Discharge date, discharge-notice date (inpatient), ward, department, diagnosis; null clears a field',
  })
  @ApiOkResponse({ type: VisitDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_SETTLED, SETTLEMENT_VISIT_NOT_INPATIENT' })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description: 'SETTLEMENT_VISIT_DATE_INVALID, SETTLEMENT_CROSS_PROVINCE_FILING',
  })
  @ApiHeader({
    name: 'x-verification-token',
    required: false,
    description:
      'Discharge (notice): the MATCH token for this visit; with it a cross-province worker without a filing valid on the discharge day is refused (R11)',
  })
  async updateVisit(
    @Param('visitId') visitId: string,
    @Body() body: UpdateVisitDto,
    @Req() req: FastifyRequest,
    @Headers('x-verification-token') token: string | undefined,
  ): Promise<VisitDto> {
    return this.visits.update(principalOf(req), visitId, body, token);
  }

  @Put('visits/:visitId/lines')
  @LargeBody()
  @ApiOperation({
    summary:
      'Add or correct fee lines (a whole visit, or a day of a stay): idempotent by HIS line id; lines not named are left alone',
  })
  @ApiOkResponse({ type: FeeLineBatchResultDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_SETTLED' })
  async putLines(
    @Param('visitId') visitId: string,
    @Body() body: FeeLineBatchDto,
    @Req() req: FastifyRequest,
  ): Promise<FeeLineBatchResultDto> {
    return this.feeLines.declare(principalOf(req), visitId, body.lines);
  }

  @Delete('visits/:visitId/lines/:lineId')
  @ApiOperation({ summary: 'Withdraw a fee line (kept and shown as withdrawn; never settled)' })
  @ApiOkResponse({ type: FeeLineDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_NOT_FOUND, SETTLEMENT_LINE_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_SETTLED' })
  async withdrawLine(
    @Param('visitId') visitId: string,
    @Param('lineId') lineId: string,
    @Req() req: FastifyRequest,
  ): Promise<FeeLineDto> {
    return this.feeLines.withdraw(principalOf(req), visitId, lineId);
  }

  @Post('visits/:visitId/pre-audit')
  @HttpCode(200)
  @ApiHeader({
    name: 'x-verification-token',
    required: false,
    description:
      'The verification token of a MATCH for this visit; without it the person checks are not done (PERSON_NOT_VERIFIED)',
  })
  @ApiOperation({
    summary: 'Local pre-audit of the visit’s active lines: fund, self-pay and hospital-loss totals, findings, verdict',
  })
  @ApiOkResponse({ type: PreAuditDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_NOT_FOUND' })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'TOKEN_* (a token was given and fails its check)' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_PERSON_MISMATCH' })
  async preAudit(
    @Param('visitId') visitId: string,
    @Body() body: PreAuditRequestDto,
    @Headers('x-verification-token') token: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<PreAuditDto> {
    return this.preAudits.run(principalOf(req), visitId, token, body ?? {});
  }

  @Post('visits/:visitId/settlement/trial')
  @HttpCode(200)
  @ApiHeader({ name: 'x-verification-token', required: true, description: 'The token of a MATCH for this visit' })
  @ApiOperation({ summary: 'Trial settlement (2206 / 2303): the insurer’s split, nothing settled or stored' })
  @ApiOkResponse({ type: SettlementTrialDto })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'TOKEN_* (missing, expired, another visit or person)' })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description: 'SETTLEMENT_PRE_AUDIT_REFUSED (findings in details), SETTLEMENT_VISIT_INCOMPLETE',
  })
  async trial(
    @Param('visitId') visitId: string,
    @Headers('x-verification-token') token: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<SettlementTrialDto> {
    return this.trials.trial(principalOf(req), visitId, token);
  }

  @Post('visits/:visitId/settlement')
  @ApiHeader({ name: 'x-verification-token', required: true, description: 'The token of a MATCH for this visit' })
  @ApiHeader({
    name: 'idempotency-key',
    required: false,
    description: 'A retried request with the same key answers the same settlement',
  })
  @ApiOperation({
    summary: 'Settle the visit (2207 / 2304): 201 settled, 202 outcome not known yet (Location), 422 rejected',
  })
  @ApiCreatedResponse({ type: SettlementDto })
  @ApiAcceptedResponse({
    type: SettlementDto,
    description:
      'Outcome not known yet: poll Location (provisional: the insurer is away, the desk collects by provisionalSplit)',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: 'SETTLEMENT_INSURER_DOWN (emergency mode with settlement.whenInsurerDown: refuse)',
  })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'TOKEN_* (missing, expired, another visit or person)' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_IDEMPOTENCY_CONFLICT, SETTLEMENT_IN_PROGRESS' })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description: 'SETTLEMENT_PRE_AUDIT_REFUSED, SETTLEMENT_REJECTED',
  })
  async settle(
    @Param('visitId') visitId: string,
    @Headers('x-verification-token') token: string | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Body() body: SettleRequestDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SettlementDto> {
    const answer = await this.settling.settle(principalOf(req), visitId, token, idempotencyKeyOf(key), body?.desk);
    return sendSettleAnswer(reply, answer);
  }

  @Get('visits/:visitId/settlements')
  @ApiOperation({ summary: 'The visit’s settlements, newest first' })
  @ApiOkResponse({ type: [SettlementDto] })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_NOT_FOUND' })
  async settlementsOfVisit(@Param('visitId') visitId: string): Promise<SettlementDto[]> {
    return this.settlements.ofVisit(visitId);
  }

  @Get('settlements/:id')
  @ApiOperation({ summary: 'One settlement: its status and outcome (poll after a 202)' })
  @ApiOkResponse({ type: SettlementDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_NOT_FOUND' })
  async settlement(@Param('id') id: string): Promise<SettlementDto> {
    return this.settlements.get(id);
  }

  @Get('settlements/:id/statement.pdf')
  @ApiOperation({
    summary:
      'The settlement statement (费用结算单) as a PDF: final once settled; provisional (临时结算单) while the insurer is away',
  })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The PDF', schema: { type: 'string', format: 'binary' } })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_STATEMENT_NOT_AVAILABLE' })
  async statement(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const pdf = await this.statements.pdf(id);
    void reply.header('content-type', 'application/pdf');
    void reply.header('content-disposition', `inline; filename="settlement-${id}.pdf"`);
    return pdf;
  }

  @Post('settlements/:id/cancel')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Cancel a settlement (2208 / 2305): a settled one is cancelling until the insurer answers; one whose outcome is unknown gets a cancel request, carried out when the outcome is known',
  })
  @ApiAcceptedResponse({ type: SettlementDto })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: 'SETTLEMENT_NOT_CANCELLABLE (rejected, cancelled, cancelling, or a cancel already requested)',
  })
  async cancel(
    @Param('id') id: string,
    @Body() body: CancelSettlementDto,
    @Req() req: FastifyRequest,
  ): Promise<SettlementDto> {
    return this.cancels.cancel(principalOf(req), id, body);
  }
}
