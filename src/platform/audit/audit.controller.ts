import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE } from '../api/page-query.dto';
import { RequireScopes } from '../auth/decorators';
import type { ActorType, AuditOutcome } from './audit-entry.entity';
import { AuditEntryDto, AuditQueryDto } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('admin')
@Controller('api/v1/admin/audit')
@RequireScopes('admin', 'audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

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
}
