import { Controller, Get, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PassThrough } from 'node:stream';
import { DEFAULT_PAGE_SIZE } from '../api/page-query.dto';
import { RequireScopes } from '../auth/decorators';
import { ValidationFailedError } from '../errors/domain-error';
import type { ActorType, AuditOutcome } from './audit-entry.entity';
import { AuditChainService } from './audit-chain.service';
import { AuditEntryDto, AuditExportQueryDto, AuditQueryDto } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('admin')
@Controller('api/v1/admin/audit')
@RequireScopes('admin', 'audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly chain: AuditChainService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Read the audit log, newest first' })
  @ApiOkResponse({ type: [AuditEntryDto] })
  async list(@Query() query: AuditQueryDto): Promise<AuditEntryDto[]> {
    const entries = await this.audit.find({
      ...query,
      actorType: query.actorType as ActorType | undefined,
      outcome: query.outcome as AuditOutcome | undefined,
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
    });
    return entries.map((e) => AuditEntryDto.from(e));
  }

  @Get('export')
  @ApiOperation({
    summary: 'The audit entries of a period as JSON Lines with their SM3 chain hashes, for the assessor',
    description:
      'A header line, one line per entry in chain order, a trailer (count, first and last chain hash). ' +
      'Check the file offline with `gateway audit verify --file <file>` (docs/security.md).',
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'JSON Lines' })
  exportPeriod(@Query() query: AuditExportQueryDto, @Res({ passthrough: true }) reply: FastifyReply): StreamableFile {
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (to <= from) {
      throw new ValidationFailedError([{ field: 'to', message: 'to 必须晚于 from' }]);
    }
    reply.header('content-disposition', `attachment; filename="audit-${stamp(from)}-${stamp(to)}.jsonl"`);
    const body = new PassThrough();
    this.chain.exportTo({ from, to }, body).then(
      () => body.end(),
      (err: unknown) => body.destroy(err instanceof Error ? err : new Error(String(err))),
    );
    return new StreamableFile(body, { type: 'application/x-ndjson; charset=utf-8' });
  }
}

/** A time for a file name: 20261201T000000Z. */
function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
