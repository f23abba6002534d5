import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../platform';
import { SETTLEMENT_STATUSES, type SettlementStatus } from './settlement.entity';

/** Request DTOs of IT's review of a settlement in needs-review, and of the settlements list. */

const resolving = (o: ReviewSettlementDto): boolean => o.action === 'resolve';
const confirmingSettled = (o: ReviewSettlementDto): boolean => o.action === 'resolve' && o.outcome === 'settled';

export class ConfirmedLineDto {
  @ApiProperty({ description: 'The HIS line id (feedetl_sn) as sent' })
  @IsString()
  @Length(1, 64)
  lineId: string;

  @ApiProperty({ description: 'The fund’s part of the line (fen)' })
  @IsInt({ message: '必须是整数（分）' })
  @Min(0)
  fundFen: number;

  @ApiProperty({ description: 'The worker’s part of the line (fen)' })
  @IsInt({ message: '必须是整数（分）' })
  @Min(0)
  selfPayFen: number;
}

export class ReviewSettlementDto {
  @ApiProperty({
    enum: ['requery', 'resolve'],
    description:
      'requery: ask the insurer again by msgid (9201) and check its stored reply; resolve: record what IT confirmed with the insurer',
  })
  @IsIn(['requery', 'resolve'])
  action: 'requery' | 'resolve';

  @ApiProperty({ description: 'The IT staff member acting (shown in the audit)' })
  @IsString()
  @Length(1, 100)
  staff: string;

  @ApiPropertyOptional({
    enum: ['settled', 'not-settled'],
    description: 'resolve: what the insurer holds (required)',
  })
  @ValidateIf(resolving)
  @IsIn(['settled', 'not-settled'])
  outcome?: 'settled' | 'not-settled';

  @ApiPropertyOptional({ description: 'resolve: how it was confirmed, with whom (required)' })
  @ValidateIf(resolving)
  @IsString()
  @Length(1, 500)
  note?: string;

  @ApiPropertyOptional({ description: 'resolve: a reference to the evidence (ticket, screenshot, call log)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  evidence?: string;

  @ApiPropertyOptional({ description: 'resolve settled: the insurer’s setl_id (required)' })
  @ValidateIf(confirmingSettled)
  @IsString()
  @Length(1, 40)
  setlId?: string;

  @ApiPropertyOptional({
    description: "resolve settled: the insurer's setl_time, 'yyyy-MM-dd HH:mm:ss' Beijing (required)",
    example: '2026-11-25 09:40:00',
  })
  @ValidateIf(confirmingSettled)
  @Matches(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, { message: "必须是 'yyyy-MM-dd HH:mm:ss'" })
  setlTime?: string;

  @ApiPropertyOptional({ description: 'resolve settled: the fund’s part (fen, required)' })
  @ValidateIf(confirmingSettled)
  @IsInt({ message: '必须是整数（分）' })
  @Min(0)
  fundFen?: number;

  @ApiPropertyOptional({ description: 'resolve settled: the worker’s part (fen, required)' })
  @ValidateIf(confirmingSettled)
  @IsInt({ message: '必须是整数（分）' })
  @Min(0)
  selfPayFen?: number;

  @ApiPropertyOptional({
    type: [ConfirmedLineDto],
    description:
      'resolve settled: each line sent, once, with its split; may be left out when the fund or the worker pays the whole total',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Type(() => ConfirmedLineDto)
  lines?: ConfirmedLineDto[];
}

export class SettlementListQueryDto extends PageQueryDto {
  @ApiProperty({ enum: SETTLEMENT_STATUSES, description: 'Only settlements in this status, e.g. needs-review' })
  @IsIn(SETTLEMENT_STATUSES)
  status: SettlementStatus;
}
