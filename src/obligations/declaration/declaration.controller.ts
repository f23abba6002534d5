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
import { ErrorBodyDto, principalOf, RequireScopes } from '../../platform';
import {
  DeclarationDto,
  declarationDto,
  DeclarationListQueryDto,
  ReconcileRequestDto,
  ReconciliationDto,
  reconciliationDto,
  ReconciliationListQueryDto,
} from './declaration.dto';
import { DeclarationService } from './declaration.service';
import { ReconciliationService } from './reconciliation.service';

/** The monthly declaration (3401, R13): drafts for staff to review, submit and resubmit. */
@ApiTags('obligations')
@Controller('api/v1/declarations')
@RequireScopes('settlement', 'admin')
export class DeclarationController {
  constructor(private readonly declarations: DeclarationService) {}

  @Get()
  @ApiOperation({ summary: 'Monthly declarations, newest month first (?state=draft for the drafts to review)' })
  @ApiOkResponse({ type: [DeclarationDto] })
  async list(@Query() query: DeclarationListQueryDto): Promise<DeclarationDto[]> {
    return (await this.declarations.list(query.limit ?? 24, query.state)).map(declarationDto);
  }

  @Get(':month')
  @ApiOperation({
    summary: 'One month’s declaration: draft figures, submissions, the insurer’s answer and differences',
  })
  @ApiOkResponse({ type: DeclarationDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'DECLARATION_NOT_FOUND' })
  async get(@Param('month') month: string): Promise<DeclarationDto> {
    return declarationDto(await this.declarations.get(month));
  }

  @Post(':month/draft')
  @HttpCode(200)
  @ApiOperation({ summary: 'Make (or remake) the draft of a finished month from the gateway’s settlements' })
  @ApiOkResponse({ type: DeclarationDto })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description: 'DECLARATION_MONTH_INVALID, DECLARATION_MONTH_NOT_OVER',
  })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'DECLARATION_IN_FLIGHT, DECLARATION_ALREADY_ACCEPTED' })
  async draft(@Param('month') month: string, @Req() req: FastifyRequest): Promise<DeclarationDto> {
    return declarationDto(await this.declarations.draft(month, principalOf(req)));
  }

  @Post(':month/submit')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Submit the reviewed draft (3401 through the outbox); the answer arrives on the declaration',
  })
  @ApiOkResponse({ type: DeclarationDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'DECLARATION_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'DECLARATION_IN_FLIGHT, DECLARATION_ALREADY_ACCEPTED' })
  async submit(@Param('month') month: string, @Req() req: FastifyRequest): Promise<DeclarationDto> {
    return declarationDto(await this.declarations.submit(month, principalOf(req)));
  }

  @Post(':month/resubmit')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Correct an accepted declaration: figures made again from the settlements, 3401 with resubmit',
  })
  @ApiOkResponse({ type: DeclarationDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'DECLARATION_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'DECLARATION_IN_FLIGHT, DECLARATION_NOT_ACCEPTED' })
  async resubmit(@Param('month') month: string, @Req() req: FastifyRequest): Promise<DeclarationDto> {
    return declarationDto(await this.declarations.resubmit(month, principalOf(req)));
  }
}

/** Reconciliation with the insurer (3201, and 3202 to name the differing settlements). */
@ApiTags('obligations')
@Controller('api/v1/reconciliations')
@RequireScopes('settlement', 'admin')
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  @ApiOperation({ summary: 'Reconciliation runs, newest first (?day= for the runs covering a day)' })
  @ApiOkResponse({ type: [ReconciliationDto] })
  async list(@Query() query: ReconciliationListQueryDto): Promise<ReconciliationDto[]> {
    const rows = await this.reconciliation.list({ limit: query.limit ?? 50, before: query.before, day: query.day });
    return rows.map(reconciliationDto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One reconciliation run with the differing settlements and what to do about each' })
  @ApiOkResponse({ type: ReconciliationDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'RECONCILIATION_NOT_FOUND' })
  async get(@Param('id') id: string): Promise<ReconciliationDto> {
    return reconciliationDto(await this.reconciliation.get(id));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Reconcile a period now (before today); the run is stored and returned, failed ones too (state failed, error)',
  })
  @ApiOkResponse({ type: ReconciliationDto })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDto, description: 'RECONCILIATION_PERIOD_INVALID' })
  async reconcile(@Body() body: ReconcileRequestDto, @Req() req: FastifyRequest): Promise<ReconciliationDto> {
    this.reconciliation.checkPeriod(body.from, body.to);
    return reconciliationDto(await this.reconciliation.reconcile(body.from, body.to, 'on-demand', principalOf(req)));
  }
}
