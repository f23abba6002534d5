import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '../../platform';
import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ATTEMPT_OUTCOMES, OutboxAttempt } from './outbox-attempt.entity';
import { OUTBOX_STATUSES, OutboxMessage, OutboxStatus } from './outbox-message.entity';
import type { OutboxMessageSummary } from './outbox-message.repository';

export class OutboxQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: OUTBOX_STATUSES })
  @IsOptional()
  @IsIn(OUTBOX_STATUSES)
  status?: OutboxStatus;

  @ApiPropertyOptional({ example: '2207' })
  @IsOptional()
  @Matches(/^\d{4}$/, { message: '交易编号必须是 4 位数字' })
  infno?: string;

  @ApiPropertyOptional({ description: 'Messages of one subject (e.g. a visit)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  subjectKey?: string;
}

export class CancelOutboxDto {
  @ApiProperty({ description: 'Why the message is withdrawn (kept in the audit log)', example: '重复申报' })
  @IsString()
  @Length(1, 200)
  reason: string;
}

export class OutboxMessageDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'H64010600001202611250030050001' }) msgid: string;
  @ApiProperty({ example: '2207' }) infno: string;
  @ApiProperty({ type: String, nullable: true }) subjectKey: string | null;
  @ApiProperty({ enum: OUTBOX_STATUSES }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, format: 'date-time' }) nextAttemptAt: string;
  @ApiProperty({ type: Number, nullable: true }) infcode: number | null;
  @ApiProperty({ type: String, nullable: true, description: "The insurer's reason, or the last technical error" })
  lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) cancelReason: string | null;

  static from(m: OutboxMessageSummary): OutboxMessageDto {
    return {
      id: m.id,
      msgid: m.msgid,
      infno: m.infno,
      subjectKey: m.subjectKey,
      status: m.status,
      attempts: m.attempts,
      nextAttemptAt: m.nextAttemptAt.toISOString(),
      infcode: m.infcode,
      lastError: m.lastError,
      createdAt: m.createdAt.toISOString(),
      finishedAt: m.finishedAt ? m.finishedAt.toISOString() : null,
      cancelReason: m.cancelReason,
    };
  }
}

export class OutboxAttemptDto {
  @ApiProperty({ enum: ['send', 'query'] }) kind: string;
  @ApiProperty() instanceId: string;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt: string;
  @ApiProperty() latencyMs: number;
  @ApiProperty({ enum: ATTEMPT_OUTCOMES }) outcome: string;
  @ApiProperty({ type: Number, nullable: true }) httpStatus: number | null;
  @ApiProperty({ type: String, nullable: true }) detail: string | null;

  static from(a: OutboxAttempt): OutboxAttemptDto {
    return {
      kind: a.kind,
      instanceId: a.instanceId,
      startedAt: a.startedAt.toISOString(),
      latencyMs: a.latencyMs,
      outcome: a.outcome,
      httpStatus: a.httpStatus,
      detail: a.detail,
    };
  }
}

export class OutboxMessageDetailDto extends OutboxMessageDto {
  @ApiProperty({ type: [OutboxAttemptDto] }) attemptLog: OutboxAttemptDto[];
  @ApiProperty({ type: Object, nullable: true, description: 'The verified reply of the insurer' }) reply: unknown;

  static fromMessage(m: OutboxMessage, attempts: readonly OutboxAttempt[]): OutboxMessageDetailDto {
    return {
      ...OutboxMessageDto.from(m),
      attemptLog: attempts.map((a) => OutboxAttemptDto.from(a)),
      reply: m.reply ? (JSON.parse(m.reply) as unknown) : null,
    };
  }
}
