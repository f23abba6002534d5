import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MESSAGE = '必须是 YYYY-MM-DD 格式的日期';

/**
 * The worker's fields every form shares (WORKER_FIELD_KEYS). All optional at the HTTP layer: with
 * a verification token they come from the insurer; requiredness is checked after merging, by
 * validateFormValues, against the form's template.
 */
export class WorkerFieldsDto {
  @ApiPropertyOptional({ description: '姓名（有核验令牌时取自参保信息）', example: '马建国' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  name?: string;

  @ApiPropertyOptional({ description: '性别', enum: ['男', '女'], example: '男' })
  @IsOptional()
  @IsIn(['男', '女'])
  sex?: string;

  @ApiPropertyOptional({ description: '出生日期（YYYY-MM-DD）', example: '1985-03-12' })
  @IsOptional()
  @Matches(DATE, { message: DATE_MESSAGE })
  birthDate?: string;

  @ApiPropertyOptional({ description: '身份证号码（18 位）', example: '640104198503120319' })
  @IsOptional()
  @IsString()
  @Length(15, 18)
  idNumber?: string;

  @ApiPropertyOptional({ description: '工伤时间（事故发生日期，YYYY-MM-DD）', example: '2024-06-18' })
  @IsOptional()
  @Matches(DATE, { message: DATE_MESSAGE })
  injuryDate?: string;

  @ApiPropertyOptional({ description: '工伤认定时间（YYYY-MM-DD）', example: '2024-08-02' })
  @IsOptional()
  @Matches(DATE, { message: DATE_MESSAGE })
  determinationDate?: string;

  @ApiPropertyOptional({ description: '工伤认定编号', example: '宁人社工认〔2024〕0187号' })
  @IsOptional()
  @IsString()
  @Length(1, 60)
  determinationNo?: string;

  @ApiPropertyOptional({ description: '工伤职工类别', enum: ['在职', '退休', '老工伤'], example: '在职' })
  @IsOptional()
  @IsIn(['在职', '退休', '老工伤'])
  workerCategory?: string;

  @ApiPropertyOptional({ description: '伤害部位', example: '右手食指、中指' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  injuredParts?: string;

  @ApiPropertyOptional({ description: '伤残等级（劳动能力鉴定结论）', example: '九级' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  disabilityGrade?: string;

  @ApiPropertyOptional({ description: '职业病名称', example: '尘肺病' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  occupationalDisease?: string;
}
