import { idempotencyKeyOf, sendSettleAnswer } from './settle-http';
import { Body, Controller, Get, Headers, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBodyDto, LargeBody, principalOf, RequireScopes } from '../platform';
import { ConversionListDto, RecordSelfPaidVisitDto, SelfPaidRecordDto, SelfPaidVisitDto } from './conversion.dto';
import { ConversionService } from './conversion.service';
import { SelfPaidVisitsService } from './self-paid-visits.service';
import { SettleRequestDto, SettlementDto } from './settlement.dto';

/** 自费转工伤 (R10, 办法 26): self-paid visits with their receipts, the listing, the conversion. */
@ApiTags('settlement')
@Controller('api/v1/settlement')
@RequireScopes('settlement')
export class ConversionController {
  constructor(
    private readonly selfPaid: SelfPaidVisitsService,
    private readonly conversions: ConversionService,
  ) {}

  @Post('self-paid-visits')
  @LargeBody()
  @ApiOperation({
    summary:
      'Record a visit the worker paid as self-pay before the injury determination, with its fee lines and receipts (the whole visit; idempotent, corrections until converted)',
  })
  @ApiCreatedResponse({ type: SelfPaidRecordDto, description: 'Recorded' })
  @ApiOkResponse({ type: SelfPaidRecordDto, description: 'Recorded before: unchanged, or corrected' })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description: 'SETTLEMENT_RECEIPTS_MISMATCH (the receipts do not add up to the lines; nothing stored)',
  })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_CONFLICT, SETTLEMENT_VISIT_SETTLED' })
  async record(
    @Body() body: RecordSelfPaidVisitDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SelfPaidRecordDto> {
    const { created, result } = await this.selfPaid.record(principalOf(req), body);
    void reply.status(created ? 201 : 200);
    return result;
  }

  @Get('self-paid-visits/:visitId')
  @ApiOperation({ summary: 'A self-paid visit with its receipts (never the ID number or name)' })
  @ApiOkResponse({ type: SelfPaidVisitDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_SELF_PAID_NOT_FOUND' })
  async selfPaidVisit(@Param('visitId') visitId: string): Promise<SelfPaidVisitDto> {
    return this.selfPaid.get(visitId);
  }

  @Get('conversions')
  @ApiHeader({
    name: 'x-verification-token',
    required: true,
    description: 'The token of a MATCH of the worker (for any visit, e.g. today’s)',
  })
  @ApiOperation({
    summary:
      'The verified worker’s self-paid visits, each convertible or not (with the reason), converting or converted',
  })
  @ApiOkResponse({ type: ConversionListDto })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'TOKEN_* (missing, expired, …)' })
  async list(
    @Headers('x-verification-token') token: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<ConversionListDto> {
    return this.conversions.list(principalOf(req), token);
  }

  @Post('visits/:visitId/conversion')
  @ApiHeader({
    name: 'x-verification-token',
    required: true,
    description: 'The token of a MATCH of the worker the visit was recorded for (any visit of theirs)',
  })
  @ApiHeader({
    name: 'idempotency-key',
    required: false,
    description: 'A retried request with the same key answers the same settlement',
  })
  @ApiOperation({
    summary:
      'Convert a self-paid visit (自费转工伤: 2207 / 2304 with cvs_flag "1"): 201 settled with refundFen, 202 outcome not known yet (Location), 422 refused or rejected',
  })
  @ApiCreatedResponse({ type: SettlementDto })
  @ApiAcceptedResponse({ type: SettlementDto, description: 'Outcome not known yet: poll Location' })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'TOKEN_* (missing, expired, another person)' })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description:
      'SETTLEMENT_NOT_SELF_PAID, SETTLEMENT_PERSON_MISMATCH, SETTLEMENT_IDEMPOTENCY_CONFLICT, SETTLEMENT_IN_PROGRESS',
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description: 'SETTLEMENT_PRE_AUDIT_REFUSED (e.g. VISIT_BEFORE_INJURY), SETTLEMENT_REJECTED',
  })
  async convert(
    @Param('visitId') visitId: string,
    @Headers('x-verification-token') token: string | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Body() body: SettleRequestDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SettlementDto> {
    const answer = await this.conversions.convert(principalOf(req), visitId, token, idempotencyKeyOf(key), body?.desk);
    return sendSettleAnswer(reply, answer);
  }
}
