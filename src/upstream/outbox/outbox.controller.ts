import { Body, Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DEFAULT_PAGE_SIZE, ErrorBodyDto, principalOf, RequireScopes } from '../../platform';
import { CancelOutboxDto, OutboxMessageDetailDto, OutboxMessageDto, OutboxQueryDto } from './outbox.dto';
import { OutboxService } from './outbox.service';

@ApiTags('admin')
@Controller('api/v1/admin/outbox')
@RequireScopes('admin')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @ApiOperation({ summary: 'Messages to the insurer, newest first' })
  @ApiOkResponse({ type: [OutboxMessageDto] })
  async list(@Query() query: OutboxQueryDto): Promise<OutboxMessageDto[]> {
    return (await this.outbox.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE })).map((m) =>
      OutboxMessageDto.from(m),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'One message (by id or msgid) with every attempt' })
  @ApiOkResponse({ type: OutboxMessageDetailDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async get(@Param('id') id: string): Promise<OutboxMessageDetailDto> {
    const { message, attempts } = await this.outbox.get(id);
    return OutboxMessageDetailDto.fromMessage(message, attempts);
  }

  @Post(':id/rerun')
  @ApiOperation({ summary: 'Send a rejected message again, as a new message' })
  @ApiOkResponse({ type: OutboxMessageDto })
  @ApiConflictResponse({ type: ErrorBodyDto })
  async rerun(@Param('id') id: string, @Req() req: FastifyRequest): Promise<OutboxMessageDto> {
    return OutboxMessageDto.from(await this.outbox.rerun(id, principalOf(req)));
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'Withdraw a message that is still pending' })
  @ApiOkResponse({ type: OutboxMessageDto })
  @ApiConflictResponse({ type: ErrorBodyDto })
  async cancel(
    @Param('id') id: string,
    @Body() body: CancelOutboxDto,
    @Req() req: FastifyRequest,
  ): Promise<OutboxMessageDto> {
    return OutboxMessageDto.from(await this.outbox.cancel(id, body.reason, principalOf(req)));
  }
}
