import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { VisitState } from './settlement.entity';

/** Request and response DTOs of visits, fee lines and the local pre-audit. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MESSAGE = '必须是有效日期，格式 YYYY-MM-DD';
/** HIS ids and codes: letters, digits and - _ . / (no spaces), as HIS and the insurer exchange them. */
const HIS_ID = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const HIS_ID_MESSAGE = '只能含字母、数字和 - _ . /，并以字母或数字开头';
/** Integer fen, far below 2^53 (一千亿元). */
const MAX_FEN = 10_000_000_000_000;
/** Lines per batch: an inpatient stay's day, or a whole outpatient visit. */
export const MAX_LINES_PER_BATCH = 5000;

export class OpenVisitDto {
  @ApiProperty({
    description: 'HIS visit id (门诊/住院号): the visit’s mdtrt id on the gateway’s side',
    example: 'ZY2026112501',
  })
  @IsString()
  @Length(1, 64)
  @Matches(HIS_ID, { message: HIS_ID_MESSAGE })
  visitId: string;

  @ApiProperty({
    description: 'The insurer’s person number (人员编号, psn_no) of the worker',
    example: '6401040000102318',
  })
  @IsString()
  @Length(1, 32)
  @Matches(/^[A-Za-z0-9]+$/, { message: '只能含字母和数字' })
  psnNo: string;

  @ApiProperty({ enum: ['outpatient', 'inpatient'] })
  @IsIn(['outpatient', 'inpatient'], { message: '必须是 outpatient（门诊）或 inpatient（住院）' })
  kind: 'outpatient' | 'inpatient';

  @ApiPropertyOptional({
    enum: ['medical', 'rehab', 'device'],
    default: 'medical',
    description:
      'medical: care under the medical-service agreement; rehab: rehabilitation under the rehabilitation agreement (an inpatient rehab admission owes the rehab assessment within 5 days, R6); device: an assistive-device configuration under the device agreement (a cross-province worker’s upload adds the invoice and the fee list)',
  })
  @IsOptional()
  @IsIn(['medical', 'rehab', 'device'], { message: '必须是 medical（医疗）、rehab（康复）或 device（辅助器具配置）' })
  careType?: 'medical' | 'rehab' | 'device';

  @ApiPropertyOptional({ description: 'Outpatient (required): the visit day', example: '2026-11-25' })
  @ValidateIf((o: OpenVisitDto) => o.kind === 'outpatient' || o.visitDate !== undefined)
  @Matches(DAY, { message: DAY_MESSAGE })
  @IsISO8601({ strict: true }, { message: DAY_MESSAGE })
  visitDate?: string;

  @ApiPropertyOptional({ description: 'Inpatient (required): the admission day', example: '2026-11-20' })
  @ValidateIf((o: OpenVisitDto) => o.kind === 'inpatient' || o.admissionDate !== undefined)
  @Matches(DAY, { message: DAY_MESSAGE })
  @IsISO8601({ strict: true }, { message: DAY_MESSAGE })
  admissionDate?: string;

  @ApiPropertyOptional({ description: 'Inpatient: the ward (病区)', example: '手外科一病区' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  ward?: string;

  @ApiPropertyOptional({ description: 'The department (科室)', example: '手外科' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  dept?: string;

  @ApiPropertyOptional({ description: 'Diagnosis code (ICD-10)', example: 'S62.600' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  diagnosisCode?: string;

  @ApiPropertyOptional({ description: 'Diagnosis name', example: '左手食指骨折' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  diagnosisName?: string;
}

export class UpdateVisitDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Inpatient: the discharge day; null clears it',
    example: '2026-11-30',
  })
  @IsOptional()
  @Matches(DAY, { message: DAY_MESSAGE })
  @IsISO8601({ strict: true }, { message: DAY_MESSAGE })
  dischargeDate?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'Inpatient: the day the worker, meeting the discharge criteria, was told to leave (协议 13(4): charging to the fund stops from this day, the day included); null clears it',
    example: '2026-11-28',
  })
  @IsOptional()
  @Matches(DAY, { message: DAY_MESSAGE })
  @IsISO8601({ strict: true }, { message: DAY_MESSAGE })
  dischargeNoticeDate?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(60) ward?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(60) dept?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(50) diagnosisCode?:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(200) diagnosisName?:
    string | null;
}

export class FeeLineInputDto {
  @ApiProperty({
    description: 'HIS line id (feedetl_sn): unique within the visit; the trace codes’ line number',
    example: '1',
  })
  @IsString()
  @Length(1, 64)
  @Matches(HIS_ID, { message: HIS_ID_MESSAGE })
  lineId: string;

  @ApiProperty({ description: 'HIS item code (院内项目编码), as in the catalogue mapping', example: 'YP001' })
  @IsString()
  @Length(1, 50)
  @Matches(HIS_ID, { message: HIS_ID_MESSAGE })
  hisItemCode: string;

  @ApiProperty({ example: '阿莫西林胶囊' })
  @IsString()
  @Length(1, 500)
  itemName: string;

  @ApiProperty({ enum: ['drug', 'service', 'material'] })
  @IsIn(['drug', 'service', 'material'], { message: '必须是 drug（药品）、service（诊疗）或 material（材料）' })
  kind: 'drug' | 'service' | 'material';

  @ApiProperty({ description: 'Count as a decimal string, > 0, at most 3 decimals (never a float)', example: '1.5' })
  @IsString()
  @Matches(/^(?=.*[1-9])\d{1,9}(\.\d{1,3})?$/, { message: '必须是大于0的数字文本，最多3位小数（如 "2"、"1.5"）' })
  count: string;

  @ApiProperty({ description: 'Unit price, integer fen (分)', example: 1250 })
  @IsInt({ message: '必须是以分为单位的整数' })
  @Min(0)
  @Max(MAX_FEN)
  unitPriceFen: number;

  @ApiProperty({ description: 'Line amount, integer fen (分): count × unit price rounded half up', example: 1875 })
  @IsInt({ message: '必须是以分为单位的整数' })
  @Min(0)
  @Max(MAX_FEN)
  amountFen: number;

  @ApiProperty({ description: 'Day of service', example: '2026-11-25' })
  @Matches(DAY, { message: DAY_MESSAGE })
  @IsISO8601({ strict: true }, { message: DAY_MESSAGE })
  serviceDate: string;

  @ApiProperty({ description: 'Treats the work injury (false: non-work-injury treatment, self-pay)' })
  @IsBoolean()
  injuryRelated: boolean;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Drugs: days of supply prescribed', example: 7 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3650)
  daysOfSupply?: number | null;

  @ApiPropertyOptional({
    description: 'Drugs: the worker’s statement and proof for a long supply are kept (协议 15)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  supplyStatementPresent?: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'Out-of-scope items: the signed self-pay consent form (forms, kind self-pay-consent) covering the line: its id or form number',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  selfPayConsentFormId?: string | null;
}

export class FeeLineBatchDto {
  @ApiProperty({
    type: [FeeLineInputDto],
    description: `Lines to add or correct (idempotent by lineId; lines not named are left as they are), at most ${MAX_LINES_PER_BATCH}`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LINES_PER_BATCH)
  @ValidateNested({ each: true })
  @Type(() => FeeLineInputDto)
  lines: FeeLineInputDto[];
}

export class VisitListQueryDto {
  @ApiPropertyOptional({
    description: 'Page backwards: visits opened before this id (the last id of the previous page)',
  })
  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/, { message: '必须是上一页最后一条记录的 id' })
  before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'Only this worker’s visits (psn_no)' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  psnNo?: string;

  @ApiPropertyOptional({ enum: ['open', 'settling', 'settled'] })
  @IsOptional()
  @IsIn(['open', 'settling', 'settled'])
  state?: VisitState;
}

export class FeeLineDto {
  @ApiProperty({ description: 'HIS line id (feedetl_sn)' }) lineId: string;
  @ApiProperty() hisItemCode: string;
  @ApiProperty() itemName: string;
  @ApiProperty({ enum: ['drug', 'service', 'material'] }) kind: string;
  @ApiProperty({ description: 'Decimal text', example: '1.5' }) count: string;
  @ApiProperty({ description: 'Integer fen' }) unitPriceFen: number;
  @ApiProperty({ description: 'Integer fen' }) amountFen: number;
  @ApiProperty({ example: '2026-11-25' }) serviceDate: string;
  @ApiProperty() injuryRelated: boolean;
  @ApiProperty({ type: Number, nullable: true }) daysOfSupply: number | null;
  @ApiProperty() supplyStatementPresent: boolean;
  @ApiProperty({ type: String, nullable: true }) selfPayConsentFormId: string | null;
  @ApiProperty({ enum: ['active', 'withdrawn'], description: 'withdrawn: taken back by HIS, kept and never settled' })
  state: string;
  @ApiProperty({ description: '1 when first declared, +1 for each correction, withdrawal or reinstatement' })
  revision: number;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: string;
}

export class VisitDto {
  @ApiProperty({ description: 'The gateway’s id (paging key)' }) id: string;
  @ApiProperty({ description: 'HIS visit id (mdtrt id)' }) visitId: string;
  @ApiProperty() psnNo: string;
  @ApiProperty({ enum: ['outpatient', 'inpatient'] }) kind: string;
  @ApiProperty({ enum: ['medical', 'rehab', 'device'] }) careType: string;
  @ApiProperty({ type: String, nullable: true }) visitDate: string | null;
  @ApiProperty({ type: String, nullable: true }) admissionDate: string | null;
  @ApiProperty({ type: String, nullable: true }) ward: string | null;
  @ApiProperty({ type: String, nullable: true }) dept: string | null;
  @ApiProperty({ type: String, nullable: true }) diagnosisCode: string | null;
  @ApiProperty({ type: String, nullable: true }) diagnosisName: string | null;
  @ApiProperty({ type: String, nullable: true }) dischargeDate: string | null;
  @ApiProperty({ type: String, nullable: true }) dischargeNoticeDate: string | null;
  @ApiProperty({
    enum: ['open', 'settling', 'settled'],
    description: 'settling, settled: locked by a settlement, every change refused',
  })
  state: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: string;
}

export class VisitDetailDto extends VisitDto {
  @ApiProperty({ type: [FeeLineDto], description: 'Every line, withdrawn ones included (state)' }) lines: FeeLineDto[];
  @ApiProperty({ description: 'Active lines' }) activeLines: number;
  @ApiProperty({ description: 'Sum of the active lines, integer fen' }) activeAmountFen: number;
}

export class FeeLineBatchResultDto {
  @ApiProperty() visitId: string;
  @ApiProperty({ type: [String], description: 'Line ids new to the visit' }) added: string[];
  @ApiProperty({ type: [String], description: 'Line ids whose content changed' }) corrected: string[];
  @ApiProperty({ type: [String], description: 'Withdrawn line ids declared again (active again)' })
  reinstated: string[];
  @ApiProperty({ type: [String], description: 'Line ids sent again with the same content (no change)' })
  unchanged: string[];
}

export class PreAuditRequestDto {
  @ApiPropertyOptional({ description: 'HIS’s total of the visit, integer fen (default: the sum of the active lines)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_FEN)
  hisTotalFen?: number;

  @ApiPropertyOptional({
    description: 'HIS’s fund part, integer fen (compared; the pre-audit’s split is the one settled)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_FEN)
  hisFundFen?: number;

  @ApiPropertyOptional({ description: 'HIS’s self-pay part, integer fen' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_FEN)
  hisSelfPayFen?: number;
}

export class FindingDto {
  @ApiProperty({ example: 'TRACE_CODES_MISSING', description: 'docs/settlement-rules.md lists every code' })
  code: string;
  @ApiProperty({ enum: ['refuse', 'selfPay', 'hospitalLoss', 'warn'] }) severity: string;
  @ApiProperty({ type: String, nullable: true, description: 'The HIS line id; null: the visit' }) lineId: string | null;
  @ApiProperty({ description: 'Chinese, for the desk: what is wrong and what to do' }) message: string;
}

export class LineAuditDto {
  @ApiProperty() lineId: string;
  @ApiProperty({ enum: ['fund', 'selfPay', 'refused'] }) disposition: string;
  @ApiProperty({ description: 'Integer fen' }) amountFen: number;
  @ApiProperty({ type: String, nullable: true, description: 'Insurer catalogue code when mapped' }) insurerCode:
    string | null;
  @ApiProperty({ type: [FindingDto] }) findings: FindingDto[];
}

export class PreAuditTotalsDto {
  @ApiProperty({ description: 'Sum of the active lines, integer fen' }) lineSumFen: number;
  @ApiProperty({ description: 'Charged to the fund' }) fundFen: number;
  @ApiProperty({ description: 'Paid by the worker (or borne by the hospital, see hospitalLossFen)' })
  selfPayFen: number;
  @ApiProperty({ description: 'On refused lines: neither, until fixed' }) refusedFen: number;
  @ApiProperty({ description: 'Self-pay without a signed consent: the hospital bears it (协议 18)' })
  hospitalLossFen: number;
}

export class PersonCheckDto {
  @ApiProperty({ description: 'The injury determination, signing and filing were checked (a MATCH token was given)' })
  done: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['insurer', 'coverageCache'],
    description: 'Where the worker facts came from; null when not done',
  })
  source: 'insurer' | 'coverageCache' | null;
}

export class PreAuditVerdictDto {
  @ApiProperty({ description: 'No finding of severity refuse' }) canSettle: boolean;
  @ApiProperty({ description: 'Chinese summary for the desk' }) message: string;
}

export class PreAuditDto {
  @ApiProperty() visitId: string;
  @ApiProperty({ type: PreAuditVerdictDto }) verdict: PreAuditVerdictDto;
  @ApiProperty({ type: PersonCheckDto }) personCheck: PersonCheckDto;
  @ApiProperty({ type: PreAuditTotalsDto }) totals: PreAuditTotalsDto;
  @ApiProperty({ type: [LineAuditDto], description: 'The active lines, in line id order' }) lines: LineAuditDto[];
  @ApiProperty({ type: [FindingDto], description: 'Every finding: the visit’s first, then each line’s' })
  findings: FindingDto[];
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The catalogue mapping version used (null: none imported)',
  })
  catalogueVersionSeq: number | null;
  @ApiProperty({ enum: ['refuse', 'warn'], description: 'settlement.missingTraceCodes in force' })
  missingTraceCodes: string;
}
