import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { WorkerFieldsDto } from './worker-fields.dto';

/** 宁夏回族自治区工伤复发就医备案表 (办法 附件1): the fields HIS fills, plus the worker's. */
export class RelapseFilingValuesDto extends WorkerFieldsDto {
  @ApiPropertyOptional({ description: '单位名称（用人单位）', example: '宁夏银川建工集团有限公司' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  unitName?: string;

  @ApiPropertyOptional({ description: '联系电话', example: '13995112345' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  phone?: string;

  @ApiPropertyOptional({ description: '家庭住址', example: '宁夏银川市兴庆区解放东街 88 号' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  address?: string;

  @ApiPropertyOptional({ description: '协议医疗机构意见：病史', example: '2024 年 6 月右手压伤，经手术治疗后出院。' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  medicalHistory?: string;

  @ApiPropertyOptional({ description: '协议医疗机构意见：诊断依据', example: '右手食指关节僵硬，功能障碍加重。' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  diagnosis?: string;

  @ApiPropertyOptional({ description: '协议医疗机构意见：治疗期限', example: '2026-03-05 至 2026-04-05' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  treatmentPeriod?: string;

  @ApiPropertyOptional({ description: '主治医师', example: '李文' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  attendingDoctor?: string;

  @ApiPropertyOptional({ description: '科主任', example: '王海燕' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  departmentHead?: string;

  @ApiPropertyOptional({ description: '医疗机构意见日期（YYYY-MM-DD）', example: '2026-03-05' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '必须是 YYYY-MM-DD 格式的日期' })
  opinionDate?: string;
}
