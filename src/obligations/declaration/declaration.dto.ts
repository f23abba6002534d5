import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../platform';
import {
  DECLARATION_STATES,
  type DeclarationRow,
  type DeclarationState,
  type ReconciliationRow,
} from './declaration.entity';
import type { DeclarationSubmission, FigureDifference, UnresolvedSettlement } from './declaration.service';
import type { SettlementDifference } from './rules/settlement-differences';

/** Request and response DTOs of the monthly declaration and reconciliation API. Money in integer fen. */
export class DeclarationListQueryDto {
  @ApiPropertyOptional({ enum: DECLARATION_STATES })
  @IsOptional()
  @IsIn(DECLARATION_STATES, { message: '必须是 draft、submitted、accepted 或 refused' })
  state?: DeclarationState;

  @ApiPropertyOptional({ minimum: 1, maximum: 120, default: 24 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(120)
  limit?: number;
}

export class DeclarationDto {
  @ApiProperty({ description: "The month declared, 'yyyy-MM' (decl_ym)" }) month: string;
  @ApiProperty({
    enum: DECLARATION_STATES,
    description:
      'draft: not sent; submitted: 3401 sent, answer awaited; accepted: the insurer’s receipt; refused: see lastError',
  })
  state: string;
  @ApiProperty({ description: 'Settlements in force of the month (settled, not cancelled or reversed)' })
  setlCnt: number;
  @ApiProperty({ description: 'Their total (fen)' }) medfeeFen: number;
  @ApiProperty({ description: 'The fund’s part (fen)' }) fundFen: number;
  @ApiProperty({ description: 'The worker’s part (fen)' }) psnFen: number;
  @ApiProperty({ description: 'The month had settlements made while the insurer was away: declared with offline_flag' })
  offlineFlag: boolean;
  @ApiProperty({
    description:
      'Settlements of the month whose outcome is not known (pending, needs-review, provisional): resolve them first',
  })
  unresolved: UnresolvedSettlement[];
  @ApiProperty({ type: String, format: 'date-time' }) draftedAt: string;
  @ApiProperty() draftedBy: string;
  @ApiProperty({ description: 'Every 3401 sent, oldest first, with its outcome' }) submissions: DeclarationSubmission[];
  @ApiProperty({ type: String, nullable: true, description: 'The insurer’s receipt of the last acceptance' })
  receiptId: string | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'The insurer’s `consistent` of the last answer' })
  consistent: boolean | null;
  @ApiProperty({ nullable: true, description: 'The insurer’s figures of the last answer (fen)' })
  insurer: { setlCnt: number; medfeeFen: number | null; fundFen: number | null } | null;
  @ApiProperty({ description: 'Declared figures the insurer’s records do not match (fen; count for setl_cnt)' })
  differences: FigureDifference[];
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: string;
}

export class ReconcileRequestDto {
  @ApiProperty({ description: "First day, 'yyyy-MM-dd' (Beijing)", example: '2026-11-01' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式应为 YYYY-MM-DD' })
  from: string;

  @ApiProperty({
    description: "Last day, 'yyyy-MM-dd' (Beijing), before today; at most 366 days",
    example: '2026-11-30',
  })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式应为 YYYY-MM-DD' })
  to: string;
}

export class ReconciliationListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: "Only runs covering this day, 'yyyy-MM-dd'" })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式应为 YYYY-MM-DD' })
  day?: string;
}

export class ReconciliationDto {
  @ApiProperty() id: string;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ enum: ['daily', 'on-demand'] }) trigger: string;
  @ApiProperty() requestedBy: string;
  @ApiProperty({
    enum: ['agreed', 'differs', 'failed'],
    description: 'agreed: totals equal; differs: see differences; failed: the insurer could not be asked (error)',
  })
  state: string;
  @ApiProperty({ description: 'The gateway’s settlements in force of the period (fen)' })
  local: { setlCnt: number; medfeeFen: number; fundFen: number; psnFen: number };
  @ApiProperty({ nullable: true, description: 'The insurer’s totals (3201, fen)' })
  insurer: { setlCnt: number; medfeeFen: number; fundFen: number; psnFen: number } | null;
  @ApiProperty({ type: String, nullable: true }) stmtRslt: string | null;
  @ApiProperty({ type: String, nullable: true }) stmtRsltDscr: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The 3201 message' }) msgid: string | null;
  @ApiProperty({
    description:
      'The differing settlements: kind only-at-insurer / only-local / figures-differ / state-differs, both sides, what to do (todo 中文, hint English)',
  })
  differences: SettlementDifference[];
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt: string;
  @ApiProperty({ type: String, format: 'date-time' }) finishedAt: string;
}

export function declarationDto(r: DeclarationRow): DeclarationDto {
  return {
    month: r.month,
    state: r.state,
    setlCnt: r.setlCnt,
    medfeeFen: r.medfeeFen,
    fundFen: r.fundFen,
    psnFen: r.psnFen,
    offlineFlag: r.offlineFlag,
    unresolved: JSON.parse(r.unresolved) as UnresolvedSettlement[],
    draftedAt: r.draftedAt.toISOString(),
    draftedBy: r.draftedBy,
    submissions: JSON.parse(r.submissions) as DeclarationSubmission[],
    receiptId: r.receiptId,
    consistent: r.consistent,
    insurer:
      r.insurerSetlCnt === null
        ? null
        : { setlCnt: r.insurerSetlCnt, medfeeFen: r.insurerMedfeeFen, fundFen: r.insurerFundFen },
    differences: JSON.parse(r.differences) as FigureDifference[],
    lastError: r.lastError,
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function reconciliationDto(r: ReconciliationRow): ReconciliationDto {
  return {
    id: r.id,
    from: r.begndate,
    to: r.enddate,
    trigger: r.trigger,
    requestedBy: r.requestedBy,
    state: r.state,
    local: { setlCnt: r.localCnt, medfeeFen: r.localMedfeeFen, fundFen: r.localFundFen, psnFen: r.localPsnFen },
    insurer:
      r.insurerCnt === null
        ? null
        : {
            setlCnt: r.insurerCnt,
            medfeeFen: r.insurerMedfeeFen ?? 0,
            fundFen: r.insurerFundFen ?? 0,
            psnFen: r.insurerPsnFen ?? 0,
          },
    stmtRslt: r.stmtRslt,
    stmtRsltDscr: r.stmtRsltDscr,
    msgid: r.msgid,
    differences: JSON.parse(r.differences) as SettlementDifference[],
    error: r.error,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt.toISOString(),
  };
}
