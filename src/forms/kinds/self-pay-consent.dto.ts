import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { WorkerFieldsDto } from './worker-fields.dto';

export class SelfPayItemDto {
  @ApiProperty({ description: '项目名称（药品、诊疗项目或材料）', example: '进口可吸收缝线' })
  @IsString()
  @MaxLength(60)
  name: string;

  @ApiProperty({ description: '金额（元，最多两位小数）', example: '268.00' })
  @Matches(/^\d{1,9}(\.\d{1,2})?$/, { message: '必须是以元为单位的金额，最多两位小数（如 128.50）' })
  amount: string;

  @ApiProperty({ description: '不属于工伤保险基金支付范围的原因', example: '不在工伤保险诊疗项目目录内' })
  @IsString()
  @MaxLength(100)
  reason: string;
}

/** 自费项目告知确认书 (办法 12, 协议 18; no annex): what is outside the fund, told before treatment and signed. */
export class SelfPayConsentValuesDto extends WorkerFieldsDto {
  @ApiPropertyOptional({ description: '医疗机构名称', example: '宁夏医科大学总医院' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  hospitalName?: string;

  @ApiPropertyOptional({ description: '用人单位', example: '宁夏银川建工集团有限公司' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  unitName?: string;

  @ApiPropertyOptional({ description: '门诊/住院号', example: 'ZY20260305001' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  visitNo?: string;

  @ApiPropertyOptional({ description: '科室', example: '手外科' })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  department?: string;

  @ApiPropertyOptional({ description: '诊断', example: '右手食指屈肌腱断裂' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  diagnosis?: string;

  @ApiPropertyOptional({ type: [SelfPayItemDto], description: '自费项目：每项的名称、金额和不属于基金支付范围的原因' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(12)
  @ValidateNested({ each: true })
  @Type(() => SelfPayItemDto)
  items?: SelfPayItemDto[];

  @ApiPropertyOptional({ description: '告知医师', example: '李文' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  informingDoctor?: string;

  @ApiPropertyOptional({ description: '告知日期（YYYY-MM-DD，须在使用前）', example: '2026-03-05' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '必须是 YYYY-MM-DD 格式的日期' })
  informedDate?: string;
}
