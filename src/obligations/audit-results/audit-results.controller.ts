import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorBodyDto, principalOf, RequireScopes } from '../../platform';
import {
  AuditResultDto,
  AuditResultListQueryDto,
  AuditResultSummaryDto,
  MissingAuditQueryDto,
  MissingAuditResultDto,
} from './audit-results.dto';
import { AuditResultsReadingService } from './audit-results-reading.service';
import { AuditResultsService } from './audit-results.service';

/** The insurer's audit results of settlements (R18, 办法 16): deductions per fee line, and the overdue ones. */
@ApiTags('settlement')
@Controller('api/v1/settlement')
@RequireScopes('settlement')
export class AuditResultsController {
  constructor(
    private readonly results: AuditResultsService,
    private readonly reading: AuditResultsReadingService,
  ) {}

  @Get('settlements/:id/audit-result')
  @ApiOperation({
    summary: 'The insurer’s audit result of a settlement: the latest version’s deductions per line, and every version',
  })
  @ApiOkResponse({ type: AuditResultDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'AUDIT_SETTLEMENT_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'AUDIT_NOT_SETTLED' })
  async get(@Param('id') id: string): Promise<AuditResultDto> {
    return this.reading.view(id);
  }

  @Post('settlements/:id/audit-result/check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ask the insurer (3501) now rather than at the next scheduled question' })
  @ApiOkResponse({ type: AuditResultDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'AUDIT_SETTLEMENT_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'AUDIT_NOT_SETTLED' })
  @ApiBadGatewayResponse({ type: ErrorBodyDto, description: 'AUDIT_REPLY_INVALID, UPSTREAM_REJECTED' })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: 'UPSTREAM_UNAVAILABLE' })
  async check(@Param('id') id: string, @Req() req: FastifyRequest): Promise<AuditResultDto> {
    await this.results.checkNow(id, principalOf(req));
    return this.reading.view(id);
  }

  @Get('audit-results')
  @ApiOperation({ summary: 'Settlements watched for their audit result, newest first (?state=pending|done|closed)' })
  @ApiOkResponse({ type: [AuditResultSummaryDto] })
  async list(@Query() query: AuditResultListQueryDto): Promise<AuditResultSummaryDto[]> {
    return this.reading.list(query);
  }

  @Get('audit-results/missing')
  @ApiOperation({
    summary:
      'Settlements past the insurer’s 30 days (办法 16) without an audit result, oldest first (?after=<settlementId>)',
  })
  @ApiOkResponse({ type: [MissingAuditResultDto] })
  async missing(@Query() query: MissingAuditQueryDto): Promise<MissingAuditResultDto[]> {
    return this.reading.missing(query);
  }
}
