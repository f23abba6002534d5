import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorBodyDto, principalOf, RequireScopes } from '../platform';
import { DifferenceListQueryDto, ResolveDifferenceDto, SettlementDifferenceDto } from './differences.dto';
import { DifferencesService } from './differences.service';

/** The amounts to collect or refund after settlements made while the insurer was away (R14). */
@ApiTags('settlement')
@Controller('api/v1/settlement/differences')
@RequireScopes('settlement')
export class DifferencesController {
  constructor(private readonly differences: DifferencesService) {}

  @Get()
  @ApiOperation({
    summary: 'Differences between provisional and final settlements (newest first; ?state=open for the work list)',
  })
  @ApiOkResponse({ type: [SettlementDifferenceDto] })
  async list(@Query() query: DifferenceListQueryDto): Promise<SettlementDifferenceDto[]> {
    return this.differences.list(query);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark a difference done: the amount was collected or refunded (who, and a note)' })
  @ApiOkResponse({ type: SettlementDifferenceDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_DIFFERENCE_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_DIFFERENCE_RESOLVED' })
  async resolve(
    @Param('id') id: string,
    @Body() body: ResolveDifferenceDto,
    @Req() req: FastifyRequest,
  ): Promise<SettlementDifferenceDto> {
    return this.differences.resolve(principalOf(req), id, body);
  }
}
