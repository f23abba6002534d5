import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { SettlementDto } from './settlement.dto';
import { FeeLineInputDto, MAX_LINES_PER_BATCH, OpenVisitDto } from './visits.dto';

/** Request and response DTOs of 自费转工伤: self-paid visits, their receipts, the conversions. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MESSAGE = '必须是有效日期，格式 YYYY-MM-DD';
/** Integer fen, far below 2^53. */
const MAX_FEN = 10_000_000_000_000;
/** Receipts per visit: an inpatient stay's deposits and settlements, a visit's invoices. */
export const MAX_RECEIPTS = 200;

export class SelfPaidPersonDto {
  @ApiProperty({
    description: 'The worker’s ID number (as HIS registered it; stored encrypted)',
    example: '640105199007082158',
  })
  @IsString()
  @Length(15, 18)
  @Matches(/^[0-9]{15}$|^[0-9]{17}[0-9Xx]$/, { message: '必须是15位或18位身份证号码' })
  idNumber: string;

  @ApiProperty({ description: 'The worker’s name (stored encrypted)', example: '买买提·艾力' })
  @IsString()
  @Length(1, 60)
  name: string;
}

export class ReceiptInputDto {
  @ApiProperty({
    description: 'Receipt or invoice number (收据号 / 发票号), unique within the visit',
    example: 'FP2026021000017',
  })
  @IsString()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, { message: '只能含字母、数字和 - _ . /，并以字母或数字开头' })
  receiptNo: string;

  @ApiProperty({ description: 'Amount paid, integer fen (分)', example: 36000 })
  @IsInt({ message: '必须是以分为单位的整数' })
  @Min(1)
  @Max(MAX_FEN)
  amountFen: number;

  @ApiProperty({ description: 'Day paid', example: '2026-02-10' })
  @Matches(DAY, { message: DAY_MESSAGE })
  @IsISO8601({ strict: true }, { message: DAY_MESSAGE })
  paidDate: string;
}

export class RecordSelfPaidVisitDto extends OmitType(OpenVisitDto, ['psnNo'] as const) {
  @ApiPropertyOptional({
    description: 'The insurer’s person number when HIS knows it; otherwise attached from the 1101 answer at conversion',
    example: '6401050000207764',
  })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  @Matches(/^[A-Za-z0-9]+$/, { message: '只能含字母和数字' })
  psnNo?: string;

  @ApiPropertyOptional({ description: 'Inpatient: the discharge day', example: '2026-02-20' })
  @IsOptional()
  @Matches(DAY, { message: DAY_MESSAGE })
  @IsISO8601({ strict: true }, { message: DAY_MESSAGE })
  dischargeDate?: string;

  @ApiProperty({
    type: SelfPaidPersonDto,
    description: 'Who paid: the worker (ID number and name; never answered back)',
  })
  @ValidateNested()
  @Type(() => SelfPaidPersonDto)
  person: SelfPaidPersonDto;

  @ApiProperty({
    type: [FeeLineInputDto],
    description: `The visit’s fee lines, all of them (lines stored before and not named are withdrawn), at most ${MAX_LINES_PER_BATCH}`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LINES_PER_BATCH)
  @ValidateNested({ each: true })
  @Type(() => FeeLineInputDto)
  lines: FeeLineInputDto[];

  @ApiProperty({
    type: [ReceiptInputDto],
    description: `What the worker paid: the receipts, which must add up to the lines (422 SETTLEMENT_RECEIPTS_MISMATCH), at most ${MAX_RECEIPTS}`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECEIPTS)
  @ValidateNested({ each: true })
  @Type(() => ReceiptInputDto)
  receipts: ReceiptInputDto[];
}

export class ReceiptDto {
  @ApiProperty() receiptNo: string;
  @ApiProperty({ description: 'Integer fen' }) amountFen: number;
  @ApiProperty({ example: '2026-02-10' }) paidDate: string;
}

export class SelfPaidVisitDto {
  @ApiProperty({ description: 'HIS visit id' }) visitId: string;
  @ApiProperty({ type: String, nullable: true, description: 'psn_no; null until known (attached at conversion)' })
  psnNo: string | null;
  @ApiProperty({ enum: ['outpatient', 'inpatient'] }) kind: string;
  @ApiProperty({ type: String, nullable: true }) visitDate: string | null;
  @ApiProperty({ type: String, nullable: true }) admissionDate: string | null;
  @ApiProperty({ type: String, nullable: true }) dischargeDate: string | null;
  @ApiProperty({ type: String, nullable: true }) dept: string | null;
  @ApiProperty({ type: String, nullable: true }) diagnosisCode: string | null;
  @ApiProperty({ type: String, nullable: true }) diagnosisName: string | null;
  @ApiProperty({
    enum: ['open', 'settling', 'settled'],
    description: 'settling / settled: its conversion was sent / made',
  })
  state: string;
  @ApiProperty({ description: 'Sum of the active fee lines, fen' }) lineSumFen: number;
  @ApiProperty({ description: 'Sum of the receipts, fen' }) paidFen: number;
  @ApiProperty({ type: [ReceiptDto] }) receipts: ReceiptDto[];
  @ApiProperty({ type: String, format: 'date-time' }) recordedAt: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: string;
}

export class LineChangesDto {
  @ApiProperty({ type: [String] }) added: string[];
  @ApiProperty({ type: [String] }) corrected: string[];
  @ApiProperty({ type: [String] }) reinstated: string[];
  @ApiProperty({ type: [String], description: 'Stored active lines the request no longer names' }) withdrawn: string[];
  @ApiProperty({ type: [String] }) unchanged: string[];
}

export class SelfPaidRecordDto {
  @ApiProperty({
    enum: ['recorded', 'corrected', 'unchanged'],
    description: 'recorded (201): new; corrected (200): lines, receipts or the discharge changed; unchanged (200)',
  })
  outcome: 'recorded' | 'corrected' | 'unchanged';
  @ApiProperty({ type: LineChangesDto }) lines: LineChangesDto;
  @ApiProperty({ description: 'The receipts were replaced' }) receiptsChanged: boolean;
  @ApiProperty({ type: SelfPaidVisitDto }) visit: SelfPaidVisitDto;
}

export class ConversionReasonDto {
  @ApiProperty({ example: 'VISIT_BEFORE_INJURY', description: 'A finding code (docs/settlement-rules.md)' })
  code: string;
  @ApiProperty({ description: 'Chinese, for the desk' }) message: string;
}

export class ConversionCandidateDto extends SelfPaidVisitDto {
  @ApiProperty({ enum: ['convertible', 'not-convertible', 'converting', 'converted'] }) conversion: string;
  @ApiProperty({ type: ConversionReasonDto, nullable: true, description: 'Why not convertible; null otherwise' })
  reason: ConversionReasonDto | null;
  @ApiProperty({
    type: SettlementDto,
    nullable: true,
    description: 'Its conversion (converting / converted): the settlement, with refundFen once settled',
  })
  settlement: SettlementDto | null;
}

export class DeterminationDto {
  @ApiProperty({ enum: ['determined', 'pending', 'none'] }) status: string;
  @ApiProperty({ type: String, nullable: true }) injuryDate: string | null;
  @ApiProperty({ type: String, nullable: true }) determinationDate: string | null;
  @ApiProperty({ type: String, nullable: true }) determinationNo: string | null;
}

export class ConversionListDto {
  @ApiProperty({
    type: DeterminationDto,
    description: 'The injury determination, from the 1101 answer behind the MATCH',
  })
  determination: DeterminationDto;
  @ApiProperty({ description: 'Self-paid visits convertible now' }) convertible: number;
  @ApiProperty({ description: 'Chinese summary for the desk' }) message: string;
  @ApiProperty({ type: [ConversionCandidateDto], description: 'The person’s self-paid visits, oldest recorded first' })
  visits: ConversionCandidateDto[];
}
