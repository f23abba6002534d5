import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorBodyDto, principalOf, Public, RequireScopes } from '../platform';
import {
  AgentDto,
  AgentEventDto,
  AgentEventsQueryDto,
  AgentListQueryDto,
  CreateEnrolmentDto,
  EnrolDto,
  EnrolledAgentDto,
  EnrolmentCodeDto,
  RevokeAgentDto,
  UpdateAgentDto,
} from './agents.dto';
import { AgentsService } from './agents.service';
import { EnrolmentsService } from './enrolments.service';

/** The desk-agent registry: enrolment codes (IT), the exchange (the agent), list, rename, move, revoke. */
@ApiTags('agents')
@Controller('api/v1/agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly enrolments: EnrolmentsService,
  ) {}

  @Post('enrolments')
  @RequireScopes('admin')
  @ApiOperation({ summary: 'A one-time enrolment code for a desk (shown once; expires)' })
  @ApiCreatedResponse({ type: EnrolmentCodeDto })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDto, description: 'AGENT_ENROLMENT_INVALID' })
  async createEnrolment(@Body() body: CreateEnrolmentDto, @Req() req: FastifyRequest): Promise<EnrolmentCodeDto> {
    return this.enrolments.create(body, principalOf(req));
  }

  @Post('enrol')
  @Public()
  @ApiOperation({
    summary:
      'A desk agent exchanges its enrolment code for its own credential (no API key: the code is the credential; works once)',
  })
  @ApiCreatedResponse({ type: EnrolledAgentDto })
  @ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'AGENT_ENROLMENT_UNKNOWN' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'AGENT_ENROLMENT_USED' })
  @ApiGoneResponse({ type: ErrorBodyDto, description: 'AGENT_ENROLMENT_EXPIRED' })
  async enrol(@Body() body: EnrolDto, @Req() req: FastifyRequest): Promise<EnrolledAgentDto> {
    return this.enrolments.exchange(body, req.ip);
  }

  @Get()
  @RequireScopes('admin')
  @ApiOperation({ summary: 'Desk agents, by desk (active ones; all=true includes revoked ones)' })
  @ApiOkResponse({ type: [AgentDto] })
  async list(@Query() query: AgentListQueryDto): Promise<AgentDto[]> {
    return this.agents.list(query.all ?? false);
  }

  @Get(':id')
  @RequireScopes('admin')
  @ApiOperation({ summary: 'One desk agent' })
  @ApiOkResponse({ type: AgentDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'AGENT_NOT_FOUND' })
  async get(@Param('id') id: string): Promise<AgentDto> {
    return this.agents.get(id);
  }

  @Get(':id/events')
  @RequireScopes('admin')
  @ApiOperation({ summary: 'The trace-code scans the centre received from this agent’s journal, in seq order' })
  @ApiOkResponse({ type: [AgentEventDto] })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'AGENT_NOT_FOUND' })
  async events(@Param('id') id: string, @Query() query: AgentEventsQueryDto): Promise<AgentEventDto[]> {
    return this.agents.events(id, query.afterSeq ?? 0, query.limit ?? 100);
  }

  @Patch(':id')
  @RequireScopes('admin')
  @ApiOperation({ summary: 'Rename an agent and/or move it to another desk (audited)' })
  @ApiOkResponse({ type: AgentDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'AGENT_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'AGENT_ALREADY_REVOKED' })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDto, description: 'AGENT_CHANGE_INVALID' })
  async change(@Param('id') id: string, @Body() body: UpdateAgentDto, @Req() req: FastifyRequest): Promise<AgentDto> {
    return this.agents.change(id, body, principalOf(req));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequireScopes('admin')
  @ApiOperation({ summary: 'Revoke an agent: it is refused from its next authentication on (audited)' })
  @ApiOkResponse({ type: AgentDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'AGENT_NOT_FOUND' })
  async revoke(@Param('id') id: string, @Body() body: RevokeAgentDto, @Req() req: FastifyRequest): Promise<AgentDto> {
    return this.agents.revoke(id, body.reason, principalOf(req));
  }
}
