import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorBodyDto, LargeBody, principalOf, RequireScopes } from '../platform';
import {
  BatchDto,
  BatchResultDto,
  CodesDto,
  CodesWithReasonDto,
  CompletenessDto,
  CountDto,
  DeclareLinesDto,
  DeskLineDto,
  FeeLineCodesDto,
  LineProgressDto,
  LineRefDto,
  MappingsDto,
  MappingViewDto,
  ReceiptResultDto,
  ReturnDto,
  ReturnResultDto,
  ScanDto,
  ScanResultDto,
  ScrapResultDto,
} from './trace-codes.dto';
import { CodeCaptureService } from './code-capture.service';
import { DeskScansService } from './desk-scans.service';
import { DispensingLinesService } from './dispensing-lines.service';
import { ProductMappingsService } from './product-mappings.service';
import { SettlementCodesService } from './settlement-codes.service';
import { StockService } from './stock.service';

@ApiTags('trace-codes')
@Controller('api/v1/trace-codes')
@RequireScopes('trace-codes')
export class TraceCodesController {
  constructor(
    private readonly lines: DispensingLinesService,
    private readonly capture: CodeCaptureService,
    private readonly stock: StockService,
    private readonly settlementCodes: SettlementCodesService,
    private readonly deskScans: DeskScansService,
    private readonly mappings: ProductMappingsService,
  ) {}

  @Put('visits/:visitId/lines')
  @ApiOperation({
    summary: 'Declare or update dispensing lines of a visit (quantity in smallest units, split package flag)',
  })
  @ApiOkResponse({ type: CompletenessDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'TRACE_LINE_QUANTITY_BELOW_CODES, TRACE_LINE_HAS_CODES' })
  async declare(
    @Param('visitId') visitId: string,
    @Body() body: DeclareLinesDto,
    @Req() req: FastifyRequest,
  ): Promise<CompletenessDto> {
    return this.lines.declareLines(principalOf(req), visitId, body.lines);
  }

  @Post('scans')
  @HttpCode(201)
  @ApiOperation({ summary: 'One scan onto a line: accepted, or refused with a TRACE_CODE_* code' })
  @ApiCreatedResponse({ type: ScanResultDto })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description: 'Not a drug code, expired pack, wrong drug, line full',
  })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description:
      'TRACE_CODE_ALREADY_DISPENSED (details[0].context: dispensedAt, visitId, lineNo), TRACE_CODE_SPLIT_OPEN (a whole-box line and a box opened for split dispensing), TRACE_CODE_SCRAPPED',
  })
  async scan(@Body() body: ScanDto, @Req() req: FastifyRequest): Promise<ScanResultDto> {
    return this.capture.scan(principalOf(req), body.visitId, body.lineNo, body.text);
  }

  @Post('batches')
  @LargeBody()
  @HttpCode(201)
  @ApiOperation({ summary: 'All the codes of a line at once, all or nothing; every bad code listed in details' })
  @ApiCreatedResponse({ type: BatchResultDto })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description: 'TRACE_BATCH_INVALID, TRACE_CODE_COUNT_MISMATCH, TRACE_CODE_DRUG_MISMATCH',
  })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'TRACE_BATCH_CONFLICT, TRACE_LINE_HAS_OTHER_CODES' })
  async batch(@Body() body: BatchDto, @Req() req: FastifyRequest): Promise<BatchResultDto> {
    return this.capture.batch(principalOf(req), body.visitId, body.lineNo, body.codes);
  }

  @Post('receipts')
  @LargeBody()
  @HttpCode(201)
  @ApiOperation({ summary: 'Stock-in: boxes become known as received' })
  @ApiCreatedResponse({ type: ReceiptResultDto })
  async receive(@Body() body: CodesDto, @Req() req: FastifyRequest): Promise<ReceiptResultDto> {
    return this.stock.receive(principalOf(req), body.codes);
  }

  @Post('returns')
  @LargeBody()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Return (退药): ends the uses (of the named line, for boxes split-open on several), cancels their pending upload; all or nothing',
  })
  @ApiOkResponse({ type: ReturnResultDto })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDto, description: 'TRACE_RETURN_LINE_REQUIRED' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'TRACE_CODE_NOT_DISPENSED' })
  async returnCodes(@Body() body: ReturnDto, @Req() req: FastifyRequest): Promise<ReturnResultDto> {
    return this.stock.returnCodes(principalOf(req), body.codes, body.reason, {
      visitId: body.visitId,
      lineNo: body.lineNo,
    });
  }

  @Post('scraps')
  @LargeBody()
  @HttpCode(200)
  @ApiOperation({ summary: 'Scrap (报损): final; a dispensed box must be returned first' })
  @ApiOkResponse({ type: ScrapResultDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'TRACE_CODE_DISPENSED' })
  async scrap(@Body() body: CodesWithReasonDto, @Req() req: FastifyRequest): Promise<ScrapResultDto> {
    return this.stock.scrap(principalOf(req), body.codes, body.reason);
  }

  @Get('visits/:visitId/completeness')
  @ApiOperation({ summary: 'Per line: codes held / needed and status; the lines still missing codes' })
  @ApiOkResponse({ type: CompletenessDto })
  async completeness(@Param('visitId') visitId: string): Promise<CompletenessDto> {
    return this.settlementCodes.completeness(visitId);
  }

  @Get('visits/:visitId/fee-lines')
  @ApiOperation({
    summary:
      'The codes per fee line in the settlement upload shape (feedetl_sn, med_list_codg, drug_trac_codg, trdn_flag)',
  })
  @ApiOkResponse({ type: [FeeLineCodesDto] })
  async feeLines(@Param('visitId') visitId: string): Promise<FeeLineCodesDto[]> {
    return this.settlementCodes.feeLines(visitId);
  }

  @Get('desks/:desk/active-line')
  @ApiOperation({ summary: 'The line a pharmacy desk dispenses now (null when none is set), with its progress' })
  @ApiOkResponse({ type: DeskLineDto })
  async deskLine(@Param('desk') desk: string): Promise<DeskLineDto> {
    return this.deskScans.deskLine(desk);
  }

  @Put('desks/:desk/active-line')
  @ApiOperation({ summary: 'The line a pharmacy desk dispenses now: its scanner’s drug codes go there' })
  @ApiOkResponse({ type: LineProgressDto })
  async setDeskLine(
    @Param('desk') desk: string,
    @Body() body: LineRefDto,
    @Req() req: FastifyRequest,
  ): Promise<LineProgressDto> {
    return this.deskScans.setDeskLine(principalOf(req), desk, body.visitId, body.lineNo);
  }

  @Put('product-mappings')
  @ApiOperation({
    summary: 'Upsert drug product (first 7 digits / GTIN) → catalogue code mappings, for the drug-fit check',
  })
  @ApiOkResponse({ type: CountDto })
  async upsertMappings(@Body() body: MappingsDto, @Req() req: FastifyRequest): Promise<CountDto> {
    return { count: await this.mappings.upsert(principalOf(req), body.mappings) };
  }

  @Get('product-mappings')
  @ApiOperation({ summary: 'Mappings, optionally of one product (first 1000)' })
  @ApiQuery({ name: 'productCode', required: false })
  @ApiOkResponse({ type: [MappingViewDto] })
  async listMappings(@Query('productCode') productCode?: string): Promise<MappingViewDto[]> {
    return this.mappings.list(productCode);
  }
}
