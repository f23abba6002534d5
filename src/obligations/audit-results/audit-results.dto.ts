import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../platform';

/** The insurer's audit results (R18) as the API shows them. Money in fen. */
export class AuditDeductionDto {
  @ApiProperty({ description: 'The fee line (HIS line id = feedetl_sn)' }) lineId: string;
  @ApiProperty({ description: 'The insurer catalogue code of the line' }) itemCode: string;
  @ApiProperty() itemName: string;
  @ApiProperty({ description: 'The line’s amount (fen)' }) lineAmountFen: number;
  @ApiProperty({ description: 'What the fund paid for the line (fen)' }) lineFundFen: number;
  @ApiProperty({ description: 'Deducted (fen), at most lineFundFen' }) amountFen: number;
  @ApiProperty({ description: 'The insurer’s reason code (A01 price over the ceiling, A02 no trace code, …)' })
  reasonCode: string;
  @ApiProperty({ description: 'The insurer’s reason, in Chinese' }) reason: string;
}

export class AuditVersionDto {
  @ApiProperty({ description: '1, 2 … (each amendment by the insurer adds one)' }) version: number;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the insurer audited it' }) auditedAt: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the gateway read it' }) fetchedAt: string;
  @ApiProperty({ description: 'msgid of the 3501 query that brought it' }) msgid: string;
  @ApiProperty({ description: 'The fund’s part as settled (fen)' }) fundFen: number;
  @ApiProperty({ description: 'Deducted by the audit (fen)' }) deductedFen: number;
  @ApiProperty({ description: 'The fund’s part approved: fundFen − deductedFen' }) approvedFen: number;
  @ApiProperty() deductionCount: number;
}

export class AuditResultDto {
  @ApiProperty({ description: 'The settlement record id' }) settlementId: string;
  @ApiProperty({ description: 'The insurer’s setl_id' }) setlId: string;
  @ApiProperty({ description: 'The HIS visit id' }) visitId: string;
  @ApiProperty({ type: String, format: 'date-time' }) settledAt: string;
  @ApiProperty({ description: 'The last of the insurer’s 30 days (办法 16), yyyy-MM-dd Beijing' }) dueOn: string;
  @ApiProperty({
    enum: ['unwatched', 'pending', 'done', 'closed'],
    description:
      'unwatched: settled, the job has not started asking yet; pending: asked, no result yet; done: a result recorded (still asked now and then for amendments); closed: no longer asked (closedReason)',
  })
  state: string;
  @ApiProperty({ description: 'Past the due day without a result: the insurer is late (R18)' }) overdue: boolean;
  @ApiProperty({ type: String, nullable: true }) closedReason: string | null;
  @ApiProperty({ description: 'Questions asked (3501)' }) checks: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastCheckedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) nextCheckAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The last question’s problem (refused, unreachable …)' })
  lastError: string | null;
  @ApiProperty({ type: AuditVersionDto, nullable: true, description: 'The latest version' })
  result: AuditVersionDto | null;
  @ApiProperty({ type: [AuditDeductionDto], description: 'The latest version’s deductions per fee line' })
  deductions: AuditDeductionDto[];
  @ApiProperty({ type: [AuditVersionDto], description: 'Every version, oldest first (amendments add versions)' })
  versions: AuditVersionDto[];
}

/** One settlement past the insurer's 30 days without a result. */
export class MissingAuditResultDto {
  @ApiProperty() settlementId: string;
  @ApiProperty() setlId: string;
  @ApiProperty({ description: 'The HIS visit id' }) visitId: string;
  @ApiProperty({ enum: ['outpatient', 'inpatient'] }) kind: string;
  @ApiProperty({ type: String, format: 'date-time' }) settledAt: string;
  @ApiProperty({ description: 'yyyy-MM-dd Beijing: settlement day + 30' }) dueOn: string;
  @ApiProperty({ description: 'Calendar days (Beijing) since the settlement day' }) daysSinceSettlement: number;
  @ApiProperty({ description: 'Questions asked (3501); 0 when the job has not asked yet' }) checks: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastCheckedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
}

/** One watched settlement in the list. */
export class AuditResultSummaryDto {
  @ApiProperty() settlementId: string;
  @ApiProperty() setlId: string;
  @ApiProperty({ description: 'The HIS visit id' }) visitId: string;
  @ApiProperty({ type: String, format: 'date-time' }) settledAt: string;
  @ApiProperty() dueOn: string;
  @ApiProperty({ enum: ['pending', 'done', 'closed'] }) state: string;
  @ApiProperty() overdue: boolean;
  @ApiProperty({ type: Number, nullable: true }) version: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Deducted by the latest version (fen)' })
  deductedFen: number | null;
  @ApiProperty() checks: number;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
}

export class AuditResultListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'done', 'closed'] })
  @IsOptional()
  @IsIn(['pending', 'done', 'closed'], { message: '必须是 pending、done 或 closed' })
  state?: 'pending' | 'done' | 'closed';
}

export class MissingAuditQueryDto {
  @ApiPropertyOptional({
    description: 'Page forwards: settlements after this settlement id (the last of the previous page)',
  })
  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/, { message: '必须是上一页最后一条记录的 settlementId' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
