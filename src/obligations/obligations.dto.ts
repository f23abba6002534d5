import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageQueryDto } from '../platform';
import { type Obligation, OBLIGATION_KINDS, OBLIGATION_STATES } from './obligation.entity';

/** A duty with a due date, as the API shows it. */
export class ObligationDto {
  @ApiProperty({ description: 'The obligation id (uuidv7)' }) id: string;
  @ApiProperty({ enum: OBLIGATION_KINDS }) kind: string;
  @ApiProperty({ enum: ['settlement', 'visit', 'month', 'day'] }) subjectType: string;
  @ApiProperty({ description: 'A settlement id, a visit id, yyyy-MM or yyyy-MM-dd' }) subjectId: string;
  @ApiProperty({ enum: ['hospital', 'insurer'], description: 'Who owes it' }) owedBy: string;
  @ApiProperty({ description: 'The rule and how its due day is counted' }) rule: string;
  @ApiProperty({ description: 'yyyy-MM-dd, Beijing: the last day to fulfil it' }) dueOn: string;
  @ApiProperty({
    description: 'False: counted Monday–Friday over a year the calendar does not know (未确认; docs/calendar.md)',
  })
  dueConfirmed: boolean;
  @ApiProperty({ enum: OBLIGATION_STATES }) state: string;
  @ApiProperty({ description: 'Neither fulfilled nor waived, and its due day has passed' }) overdue: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) openedAt: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastAttemptAt: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) fulfilledAt: string | null;
  @ApiProperty({ type: Object, nullable: true, description: 'The insurer’s receipt or what shows it was done' })
  evidence: Record<string, unknown> | null;
  @ApiProperty({ type: Object, nullable: true, description: 'What it needs or waits for' })
  detail: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) waivedReason: string | null;
  @ApiProperty({ type: String, nullable: true }) waivedBy: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) waivedAt: string | null;
}

export function toObligationDto(o: Obligation, today: string): ObligationDto {
  const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
  return {
    ...o,
    overdue: o.fulfilledAt === null && o.state !== 'waived' && o.dueOn < today,
    openedAt: o.openedAt.toISOString(),
    lastAttemptAt: iso(o.lastAttemptAt),
    fulfilledAt: iso(o.fulfilledAt),
    waivedAt: iso(o.waivedAt),
  };
}

export class ObligationListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: OBLIGATION_KINDS })
  @IsOptional()
  @IsIn(OBLIGATION_KINDS, { message: `必须是 ${OBLIGATION_KINDS.join('、')} 之一` })
  kind?: (typeof OBLIGATION_KINDS)[number];

  @ApiPropertyOptional({ enum: OBLIGATION_STATES })
  @IsOptional()
  @IsIn(OBLIGATION_STATES, { message: `必须是 ${OBLIGATION_STATES.join('、')} 之一` })
  state?: (typeof OBLIGATION_STATES)[number];

  @ApiPropertyOptional({ enum: ['hospital', 'insurer'] })
  @IsOptional()
  @IsIn(['hospital', 'insurer'], { message: '必须是 hospital 或 insurer' })
  owedBy?: 'hospital' | 'insurer';

  @ApiPropertyOptional({ description: 'Due on or before this day (yyyy-MM-dd)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式应为 yyyy-MM-dd' })
  dueBefore?: string;

  @ApiPropertyOptional({ description: 'Only overdue ones (neither fulfilled nor waived, due day passed)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: '必须是 true 或 false' })
  overdue?: boolean;

  @ApiPropertyOptional({ description: 'One subject: a settlement id, visit id, yyyy-MM or yyyy-MM-dd' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  subject?: string;
}

export class WaiveObligationDto {
  @ApiProperty({ description: 'Who decided it is not owed (staff name)' })
  @IsString()
  @Length(1, 100)
  staff: string;

  @ApiProperty({ description: 'Why it is not owed, e.g. 经办机构确认该笔结算无需上传（电话记录 …）' })
  @IsString()
  @Length(1, 500)
  reason: string;
}
