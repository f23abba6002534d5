import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MESSAGE = '必须是有效日期，格式 YYYY-MM-DD';

/** HIS: the rehab assessment (康复评估) of a rehab admission was done (R6, rehab 协议 9). */
export class RehabAssessmentDto {
  @ApiProperty({
    description: 'The day the assessment was made (Beijing), not before admission, not in the future',
    example: '2026-11-27',
  })
  @Matches(DAY, { message: DAY_MESSAGE })
  @IsISO8601({ strict: true }, { message: DAY_MESSAGE })
  assessedOn: string;

  @ApiPropertyOptional({ description: 'Who made it (name or staff number)', example: '康复科 李医生' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  assessor?: string;

  @ApiPropertyOptional({ description: 'HIS’s reference of the assessment report', example: 'KFPG-2026-0113' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  reportNo?: string;
}

/** HIS: the invoice number of an assistive-device settlement, for its cross-province upload (device 协议 25). */
export class UploadInvoiceDto {
  @ApiProperty({ description: 'The invoice (发票) number of the settlement', example: '06400123 00012345' })
  @IsString()
  @Matches(/\S/, { message: '发票号不能为空' })
  @MaxLength(50)
  invoiceNo: string;
}
