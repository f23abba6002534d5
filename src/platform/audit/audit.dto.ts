import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '../api/page-query.dto';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { ACTOR_TYPES, AUDIT_OUTCOMES, AuditEntry } from './audit-entry.entity';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'apikey.create' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ description: 'API key id, staff id or system component' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actorId?: string;

  @ApiPropertyOptional({ enum: ACTOR_TYPES })
  @IsOptional()
  @IsIn(ACTOR_TYPES)
  actorType?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Entries at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: '必须是 ISO 8601 时间，如 2026-12-03T08:00:00+08:00' })
  from?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Entries before this time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: '必须是 ISO 8601 时间，如 2026-12-03T18:00:00+08:00' })
  to?: string;
}

export class AuditExportQueryDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'Entries at or after this time' })
  @IsISO8601({ strict: true }, { message: '必须是 ISO 8601 时间，如 2026-06-01T00:00:00+08:00' })
  from: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'Entries before this time' })
  @IsISO8601({ strict: true }, { message: '必须是 ISO 8601 时间，如 2026-12-01T00:00:00+08:00' })
  to: string;
}

export class AuditEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ type: String, format: 'date-time' }) at: string;
  @ApiProperty({ enum: ACTOR_TYPES }) actorType: string;
  @ApiProperty() actorId: string;
  @ApiProperty({ example: 'apikey.create' }) action: string;
  @ApiProperty({ type: String, nullable: true, description: 'Keyed hash of the subject' }) subjectHash: string | null;
  @ApiProperty({ enum: AUDIT_OUTCOMES }) outcome: string;
  @ApiProperty({ type: String, nullable: true }) correlationId: string | null;
  @ApiProperty({ type: Object, nullable: true }) details: Record<string, unknown> | null;

  static from(e: AuditEntry): AuditEntryDto {
    return {
      id: e.id,
      at: e.at.toISOString(),
      actorType: e.actorType,
      actorId: e.actorId,
      action: e.action,
      subjectHash: e.subjectHash,
      outcome: e.outcome,
      correlationId: e.correlationId,
      details: e.details,
    };
  }
}
