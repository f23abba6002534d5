import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { FindingDto, PreAuditTotalsDto } from './visits.dto';

/** Request and response DTOs of trials, settlements and cancellations. */
export class SettlementLineSplitDto {
  @ApiProperty() lineId: string;
  @ApiProperty() amountFen: number;
  @ApiProperty() fundFen: number;
  @ApiProperty() selfPayFen: number;
  @ApiProperty({ type: String, nullable: true, description: 'The insurer’s reason for a self-pay part' })
  reason: string | null;
}

export class InsurerSplitDto {
  @ApiProperty({ type: String, nullable: true, description: 'setl_id; null for a trial' }) setlId: string | null;
  @ApiProperty({ type: String, nullable: true, description: "setl_time, 'yyyy-MM-dd HH:mm:ss' Beijing" })
  setlTime: string | null;
  @ApiProperty() totalFen: number;
  @ApiProperty() fundFen: number;
  @ApiProperty() selfPayFen: number;
  @ApiProperty({ type: [SettlementLineSplitDto] }) lines: SettlementLineSplitDto[];
  @ApiProperty({
    type: Number,
    nullable: true,
    description: '自费转工伤: refd_amt, the fund’s part the hospital refunds to the worker (fen); null otherwise',
  })
  refundFen: number | null;
}

export class LocalSelfPayLineDto {
  @ApiProperty() lineId: string;
  @ApiProperty() amountFen: number;
  @ApiProperty({ enum: ['not-mapped', 'after-discharge-notice'] }) reason: string;
}

export class SettlementTrialDto {
  @ApiProperty() visitId: string;
  @ApiProperty({ type: InsurerSplitDto }) split: InsurerSplitDto;
  @ApiProperty({ type: [LocalSelfPayLineDto], description: 'Lines kept out of the message: the worker’s' })
  localSelfPay: LocalSelfPayLineDto[];
  @ApiProperty({ description: 'What the desk would collect from the worker (fen)' }) deskCollectsFen: number;
  @ApiProperty({ type: [FindingDto], description: 'The pre-audit’s warnings' })
  warnings: FindingDto[];
}

export class CancelRequestDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'When the cancel was asked for' }) at: string;
  @ApiProperty({
    enum: ['waiting', 'sent', 'moot'],
    description:
      'waiting: for the insurer’s outcome; sent: the outcome was settled and 2208 / 2305 went out; moot: the insurer did not settle it, nothing to cancel',
  })
  state: string;
}

export class ProvisionalSplitDto {
  @ApiProperty() totalFen: number;
  @ApiProperty() fundFen: number;
  @ApiProperty() selfPayFen: number;
  @ApiProperty({ description: 'What the desk collects under this split (fen)' }) deskCollectsFen: number;
  @ApiProperty({ type: [SettlementLineSplitDto], description: 'The lines sent, as the local pre-audit split them' })
  lines: SettlementLineSplitDto[];
}

export class SettlementDto {
  @ApiProperty({ description: 'The settlement record id (uuidv7)' }) id: string;
  @ApiProperty({ description: 'The HIS visit id' }) visitId: string;
  @ApiProperty() psnNo: string;
  @ApiProperty({ enum: ['outpatient', 'inpatient'] }) kind: string;
  @ApiProperty({ description: '2207 or 2304' }) infno: string;
  @ApiProperty() msgid: string;
  @ApiProperty() idempotencyKey: string;
  @ApiProperty({ enum: ['pending', 'provisional', 'settled', 'rejected', 'needs-review', 'cancelling', 'cancelled'] })
  status: string;
  @ApiProperty({ type: [String] }) sentLineIds: string[];
  @ApiProperty({ type: [LocalSelfPayLineDto] }) localSelfPay: LocalSelfPayLineDto[];
  @ApiProperty({ type: PreAuditTotalsDto, description: 'The pre-audit totals (fen)' })
  preAuditTotals: PreAuditTotalsDto;
  @ApiProperty({ type: String, nullable: true }) setlId: string | null;
  @ApiProperty({ type: InsurerSplitDto, nullable: true }) split: InsurerSplitDto | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'What the desk collects from the worker (fen); 0 for a conversion (the worker paid everything)',
  })
  deskCollectsFen: number | null;
  @ApiProperty({ description: '自费转工伤: a self-paid visit settled with cvs_flag "1"' }) conversion: boolean;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      '自费转工伤, once settled: what the hospital refunds to the worker (the fund’s part, refd_amt), fen; null otherwise',
  })
  refundFen: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'The insurer’s reason, or the reply’s problem' })
  problem: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) settledAt: string | null;
  @ApiProperty({ type: String, nullable: true }) cancelReason: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) cancelledAt: string | null;
  @ApiProperty({
    type: CancelRequestDto,
    nullable: true,
    description: 'A cancel asked for while the outcome was unknown (who and why: cancelReason)',
  })
  cancelRequested: CancelRequestDto | null;
  @ApiProperty({ type: String, nullable: true, description: 'The desk its state changes are pushed to' })
  desk: string | null;
  @ApiProperty({
    description: 'Settled while the insurer was away (emergency mode): the desk collected by provisionalSplit',
  })
  provisional: boolean;
  @ApiProperty({
    type: ProvisionalSplitDto,
    nullable: true,
    description: 'The local pre-audit’s split the desk collected by while the insurer was away (fen); null otherwise',
  })
  provisionalSplit: ProvisionalSplitDto | null;
  @ApiProperty() createdBy: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
}

export class SettleRequestDto {
  @ApiPropertyOptional({
    description:
      'The desk staff’s workstation (as devices name desks): each state change of the settlement is pushed to its WebSocket as a `settlement` event',
    example: '门诊收费1',
  })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  desk?: string;
}

export class CancelSettlementDto {
  @ApiProperty({ description: 'Why it is cancelled (shown in the audit)' })
  @IsString()
  @MaxLength(500)
  reason: string;

  @ApiProperty({ description: 'The staff member cancelling it' })
  @IsString()
  @MaxLength(100)
  staff: string;
}
