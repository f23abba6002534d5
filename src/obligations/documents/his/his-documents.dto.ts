import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MESSAGE = '日期格式应为 YYYY-MM-DD';

export class DiagnosisDto {
  @ApiProperty({ description: 'ICD-10 code, e.g. S62.600', maxLength: 20 })
  @IsString()
  @MinLength(1)
  @MaxLength(20)
  code: string;

  @ApiProperty({ description: 'Name, e.g. 右手示指近节指骨骨折', maxLength: 40 })
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  name: string;
}

export class OperationDto {
  @ApiProperty({ description: 'ICD-9-CM-3 code', maxLength: 20 })
  @IsString()
  @MinLength(1)
  @MaxLength(20)
  code: string;

  @ApiProperty({ maxLength: 40 })
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  name: string;

  @ApiProperty({ description: 'YYYY-MM-DD' })
  @Matches(DAY, { message: DAY_MESSAGE })
  date: string;

  @ApiPropertyOptional({ description: '术者', maxLength: 20 })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  surgeon?: string;
}

export const DISCHARGE_METHODS = ['医嘱离院', '医嘱转院', '医嘱转社区卫生服务机构', '非医嘱离院', '死亡', '其他'];

/** 病案首页 as structured data: the gateway renders it (templates/medical-record.json). Dates and department of the stay come from the visit. */
export class MedicalRecordDataDto {
  @ApiProperty({ description: '病案号', maxLength: 30 })
  @IsString()
  @MinLength(1)
  @MaxLength(30)
  medicalRecordNo: string;

  @ApiProperty({ maxLength: 40 })
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  name: string;

  @ApiProperty({ enum: ['男', '女'] })
  @IsIn(['男', '女'], { message: '性别应为 男 或 女' })
  sex: string;

  @ApiProperty({ description: 'YYYY-MM-DD' })
  @Matches(DAY, { message: DAY_MESSAGE })
  birthDate: string;

  @ApiPropertyOptional({ maxLength: 30 })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  admissionDepartment?: string;

  @ApiPropertyOptional({ maxLength: 30 })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  dischargeDepartment?: string;

  @ApiPropertyOptional({ description: '门（急）诊诊断', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  admissionDiagnosis?: string;

  @ApiProperty({ type: DiagnosisDto, description: '出院主要诊断' })
  @ValidateNested()
  @Type(() => DiagnosisDto)
  principalDiagnosis: DiagnosisDto;

  @ApiPropertyOptional({ type: [DiagnosisDto], description: '其他诊断 (at most 10)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => DiagnosisDto)
  otherDiagnoses?: DiagnosisDto[];

  @ApiPropertyOptional({ type: [OperationDto], description: '手术及操作 (at most 10)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => OperationDto)
  operations?: OperationDto[];

  @ApiProperty({ enum: DISCHARGE_METHODS, description: '离院方式' })
  @IsIn(DISCHARGE_METHODS, { message: `离院方式应为 ${DISCHARGE_METHODS.join('、')} 之一` })
  dischargeMethod: string;

  @ApiProperty({ description: '主治医师', maxLength: 20 })
  @IsString()
  @MinLength(1)
  @MaxLength(20)
  attendingDoctor: string;

  @ApiPropertyOptional({ description: '住院医师', maxLength: 20 })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  residentDoctor?: string;

  @ApiProperty({ description: '编写日期 YYYY-MM-DD' })
  @Matches(DAY, { message: DAY_MESSAGE })
  writtenOn: string;
}

/** 出院小结 as structured data: the gateway renders it (templates/discharge-summary.json). */
export class DischargeSummaryDataDto {
  @ApiProperty({ maxLength: 40 })
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  name: string;

  @ApiProperty({ enum: ['男', '女'] })
  @IsIn(['男', '女'], { message: '性别应为 男 或 女' })
  sex: string;

  @ApiProperty({ maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  admissionDiagnosis: string;

  @ApiProperty({ maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  dischargeDiagnosis: string;

  @ApiProperty({ description: '入院情况', maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  admissionCondition: string;

  @ApiProperty({ description: '诊疗经过', maxLength: 1000 })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  treatmentCourse: string;

  @ApiProperty({ description: '出院情况', maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  dischargeCondition: string;

  @ApiProperty({ description: '出院医嘱', maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  dischargeAdvice: string;

  @ApiProperty({ description: '医师', maxLength: 20 })
  @IsString()
  @MinLength(1)
  @MaxLength(20)
  doctor: string;

  @ApiProperty({ description: 'YYYY-MM-DD' })
  @Matches(DAY, { message: DAY_MESSAGE })
  writtenOn: string;
}
