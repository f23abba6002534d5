import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorBodyDto, principalOf, RequireScopes } from '../platform';
import { SettlementReviewService } from './settlement-review.service';
import { ReviewSettlementDto, SettlementListQueryDto } from './settlement-review.dto';
import { SettlementDto } from './settlement.dto';

/** Settlements by status, and IT's way out of needs-review (requery by msgid, or resolve by hand). */
@ApiTags('settlement')
@Controller('api/v1/settlement/settlements')
export class SettlementReviewController {
  constructor(private readonly reviews: SettlementReviewService) {}

  @Get()
  @RequireScopes('settlement', 'admin')
  @ApiOperation({ summary: 'Settlements in one status, newest first (e.g. status=needs-review: those IT must review)' })
  @ApiOkResponse({ type: [SettlementDto] })
  async list(@Query() query: SettlementListQueryDto): Promise<SettlementDto[]> {
    return this.reviews.list(query);
  }

  @Post(':id/review')
  @HttpCode(200)
  @RequireScopes('admin')
  @ApiOperation({
    summary:
      'IT review of a needs-review settlement: requery (9201 by msgid, the stored reply checked again) or resolve (settled with the insurer’s setl_id and split, or not-settled)',
  })
  @ApiOkResponse({
    type: SettlementDto,
    description: 'The settlement after the action (still needs-review when a requery did not pass)',
  })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_NOT_IN_REVIEW' })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description: 'SETTLEMENT_REVIEW_SPLIT_INVALID (the confirmed split does not add up; details say how)',
  })
  async review(
    @Param('id') id: string,
    @Body() body: ReviewSettlementDto,
    @Req() req: FastifyRequest,
  ): Promise<SettlementDto> {
    return this.reviews.review(principalOf(req), id, body);
  }
}
