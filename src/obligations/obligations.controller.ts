import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DEFAULT_PAGE_SIZE, ErrorBodyDto, principalOf, RequireScopes } from '../platform';
import { OBLIGATION_ERRORS } from './obligations.errors';
import { ObligationDto, ObligationListQueryDto, toObligationDto, WaiveObligationDto } from './obligations.dto';
import { ObligationsService } from './obligations.service';

/** The duties with deadlines (docs/obligations.md): the list to watch, one duty, and a waiver. */
@ApiTags('obligations')
@Controller('api/v1/obligations')
@RequireScopes('operations', 'admin')
export class ObligationsController {
  constructor(private readonly obligations: ObligationsService) {}

  @Get()
  @ApiOperation({
    summary: 'Duties with deadlines, newest first; filter by kind, state, who owes it, due day, overdue, subject',
  })
  @ApiOkResponse({ type: [ObligationDto] })
  async list(@Query() q: ObligationListQueryDto): Promise<ObligationDto[]> {
    const today = this.obligations.today();
    const rows = await this.obligations.list({
      kind: q.kind,
      state: q.state,
      owedBy: q.owedBy,
      dueBefore: q.dueBefore,
      overdueOn: q.overdue ? today : undefined,
      subjectId: q.subject,
      limit: q.limit ?? DEFAULT_PAGE_SIZE,
      before: q.before,
    });
    return rows.map((o) => toObligationDto(o, today));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One duty: its rule, due day, attempts, evidence' })
  @ApiOkResponse({ type: ObligationDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'OBLIGATION_NOT_FOUND' })
  async get(@Param('id') id: string): Promise<ObligationDto> {
    const o = await this.obligations.get(id);
    if (!o) {
      throw OBLIGATION_ERRORS.raise('OBLIGATION_NOT_FOUND');
    }
    return toObligationDto(o, this.obligations.today());
  }

  @Post(':id/waive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Waive a duty that is not owed (who, and why); audited' })
  @ApiOkResponse({ type: ObligationDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'OBLIGATION_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'OBLIGATION_CLOSED' })
  async waive(
    @Param('id') id: string,
    @Body() body: WaiveObligationDto,
    @Req() req: FastifyRequest,
  ): Promise<ObligationDto> {
    const principal = principalOf(req);
    const by = `${body.staff} (${principal.type}:${principal.id})`;
    const o = await this.obligations.waive(id, body.reason, by, principal);
    return toObligationDto(o, this.obligations.today());
  }
}
