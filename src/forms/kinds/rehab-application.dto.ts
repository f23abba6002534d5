import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { WorkerFieldsDto } from './worker-fields.dto';

/** 宁夏回族自治区工伤职工工伤康复申请确认表 (办法 附件2): the fields HIS fills, plus the worker's. */
export class RehabApplicationValuesDto extends WorkerFieldsDto {
  @ApiPropertyOptional({ description: '申请人(单位或机构)名称', example: '宁夏医科大学总医院' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  applicantName?: string;

  @ApiPropertyOptional({ description: '家庭详细地址', example: '宁夏银川市兴庆区解放东街 88 号' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  address?: string;

  @ApiPropertyOptional({ description: '工作单位', example: '宁夏银川建工集团有限公司' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  unitName?: string;

  @ApiPropertyOptional({ description: '从事职业及工作岗位', example: '钢筋工' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  occupation?: string;

  @ApiPropertyOptional({ description: '联系人', example: '马丽' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  contactPerson?: string;

  @ApiPropertyOptional({ description: '联系电话', example: '13995112345' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  phone?: string;

  @ApiPropertyOptional({ description: '参加工作时间（YYYY-MM-DD）', example: '2010-07-01' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '必须是 YYYY-MM-DD 格式的日期' })
  employmentDate?: string;

  @ApiPropertyOptional({
    description: '康复指征情况（协议医疗机构的初步评估意见）',
    example: '右手功能障碍，具有康复价值，建议转入康复治疗。',
  })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  rehabIndication?: string;

  @ApiPropertyOptional({ description: '备注', example: '' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  remarks?: string;
}
