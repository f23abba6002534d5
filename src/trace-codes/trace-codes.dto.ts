import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import type { LineStatus } from './rules/line-rules';
import type { DrugCode } from './rules/scan-judgement';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** The most codes one request may carry (a batch, a receipt); the body limit (server.largeBodyLimitBytes, @LargeBody) applies too. */
export const MAX_CODES_PER_REQUEST = 200_000;

export class LineDto {
  @ApiProperty({ description: 'HIS’s id of the fee line (feedetl_sn in the settlement)', example: '3' })
  @IsString()
  @Length(1, 30)
  lineNo: string;

  @ApiProperty({ description: 'Insurer catalogue code of the drug (医保目录编码)', example: 'XJ01CAA040A001010100001' })
  @IsString()
  @Length(1, 50)
  medListCode: string;

  @ApiProperty({ example: '阿莫西林胶囊' })
  @IsString()
  @Length(1, 200)
  drugName: string;

  @ApiProperty({
    description: 'Units dispensed, in the smallest unit that carries a code (boxes); tablets etc. for a split package',
    example: 2,
  })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity: number;

  @ApiPropertyOptional({
    description: 'Split package (拆零): part of a box sold; needs the code of at least one box it came from',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  splitPackage?: boolean;
}

export class DeclareLinesDto {
  @ApiProperty({ type: [LineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => LineDto)
  lines: LineDto[];
}

export class LineRefDto {
  @ApiProperty({ description: 'HIS visit id', example: 'MZ20261125001' })
  @IsString()
  @Length(1, 64)
  visitId: string;

  @ApiProperty({ description: 'The line (feedetl_sn)', example: '3' })
  @IsString()
  @Length(1, 30)
  lineNo: string;
}

export class ScanDto extends LineRefDto {
  @ApiProperty({
    description: 'What the scanner read: a 20-digit trace code or a GS1 DataMatrix ((01)…(21)…, with GS or brackets)',
    example: '81234567890123456789',
  })
  @IsString()
  @Length(1, 2048)
  text: string;
}

export class BatchDto extends LineRefDto {
  @ApiProperty({
    description: 'All the line’s codes (a retried batch adds nothing twice)',
    type: [String],
    example: ['81234567890123456789', '81234567890123456790'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CODES_PER_REQUEST)
  @IsString({ each: true })
  @MaxLength(2048, { each: true })
  codes: string[];
}

export class CodesDto {
  @ApiProperty({ type: [String], example: ['81234567890123456789'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CODES_PER_REQUEST)
  @IsString({ each: true })
  @MaxLength(2048, { each: true })
  codes: string[];
}

export class CodesWithReasonDto extends CodesDto {
  @ApiProperty({ description: 'Why (kept with the history)', example: '患者退药：过敏' })
  @IsString()
  @Length(1, 200)
  reason: string;
}

export class ReturnDto extends CodesWithReasonDto {
  @ApiPropertyOptional({
    description: 'With lineNo: the line whose use ends. Needed when a box is split-open on several lines (拆零)',
    example: 'MZ20261125001',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  visitId?: string;

  @ApiPropertyOptional({ description: 'With visitId: the line (feedetl_sn)', example: '3' })
  @IsOptional()
  @IsString()
  @Length(1, 30)
  lineNo?: string;
}

export class MappingDto {
  @ApiProperty({
    description: 'Drug product: the first 7 digits of a 20-digit code, or the GTIN-14',
    example: '8123456',
  })
  @IsString()
  @Matches(/^(\d{7}|\d{14})$/, { message: '药品标识应为追溯码前7位或14位GTIN' })
  productCode: string;

  @ApiProperty({ example: 'XJ01CAA040A001010100001' })
  @IsString()
  @Length(1, 50)
  medListCode: string;

  @ApiPropertyOptional({ example: '阿莫西林胶囊' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  drugName?: string;
}

export class MappingsDto {
  @ApiProperty({ type: [MappingDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => MappingDto)
  mappings: MappingDto[];
}

// ---- answers ----------------------------------------------------------------------------------------

export class LineProgressDto {
  @ApiProperty() visitId: string;
  @ApiProperty() lineNo: string;
  @ApiProperty() medListCode: string;
  @ApiProperty() drugName: string;
  @ApiProperty() quantity: number;
  @ApiProperty() splitPackage: boolean;
  @ApiProperty({ description: 'Codes the line holds' }) held: number;
  @ApiProperty({ description: 'Codes the line needs (the quantity; 1 for a split package)' }) needed: number;
  @ApiProperty({ enum: ['complete', 'missing-codes', 'split-package'] }) status: LineStatus;
}

export class DeskLineDto {
  @ApiProperty() desk: string;
  @ApiProperty({
    type: LineProgressDto,
    nullable: true,
    description: 'The line the desk’s scanner fills now; null when none is set (a scan is then refused)',
  })
  line: LineProgressDto | null;
  @ApiProperty({ nullable: true, type: String, description: 'Who set it: `<actor type>:<id>`' }) setBy: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) setAt: string | null;
}

export class ScanResultDto {
  @ApiProperty({ description: 'Canonical code: 20 digits, or 01<GTIN-14>21<serial>' }) code: string;
  @ApiProperty({ enum: ['trace20', 'gs1'] }) form: DrugCode['form'];
  @ApiProperty({ description: 'First 7 digits, or the GTIN-14' }) productCode: string;
  @ApiProperty({ nullable: true, type: String }) batch: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'YYYY-MM-DD' }) expiry: string | null;
  @ApiProperty({ type: LineProgressDto }) line: LineProgressDto;
}

export class BatchResultDto {
  @ApiProperty({ description: 'Named in the audit log and on every use row' }) operationId: string;
  @ApiProperty({ description: 'Codes newly recorded' }) added: number;
  @ApiProperty({ type: LineProgressDto }) line: LineProgressDto;
}

export class CompletenessDto {
  @ApiProperty() visitId: string;
  @ApiProperty({ description: 'No line is missing codes' }) complete: boolean;
  @ApiProperty({ type: [LineProgressDto] }) lines: LineProgressDto[];
  @ApiProperty({ type: [LineProgressDto], description: 'Lines still missing codes' }) missing: LineProgressDto[];
}

/** One fee line as the settlement upload (2207 / 2304 feedetail) carries its codes. */
export class FeeLineCodesDto {
  @ApiProperty() feedetl_sn: string;
  @ApiProperty() med_list_codg: string;
  @ApiProperty({ type: [String] }) drug_trac_codg: string[];
  @ApiProperty({ enum: ['0', '1'], description: "'1' split package (拆零)" }) trdn_flag: '0' | '1';
}

export class ReceiptResultDto {
  @ApiProperty() operationId: string;
  @ApiProperty() received: number;
  @ApiProperty({ description: 'Codes already known (left as they were)' }) alreadyKnown: number;
}

export class UploadedCodeDto {
  @ApiProperty() code: string;
  @ApiProperty() setlId: string;
}

export class ReturnResultDto {
  @ApiProperty() operationId: string;
  @ApiProperty() returned: number;
  @ApiProperty() uploadsCancelled: number;
  @ApiProperty({
    type: [UploadedCodeDto],
    description: 'Already uploaded with a settlement: that settlement must be reversed',
  })
  alreadyUploaded: UploadedCodeDto[];
  @ApiProperty({ description: 'Boxes still split-open on other lines after this return' }) stillOpen: number;
}

export class ScrapResultDto {
  @ApiProperty() operationId: string;
  @ApiProperty() scrapped: number;
}

export class MappingViewDto {
  @ApiProperty() productCode: string;
  @ApiProperty() medListCode: string;
  @ApiProperty({ nullable: true, type: String }) drugName: string | null;
  @ApiProperty() updatedAt: string;
}

export class CountDto {
  @ApiProperty() count: number;
}
