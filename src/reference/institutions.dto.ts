import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { INSTITUTION_KINDS, Institution } from './institution';

export class InstitutionQueryDto {
  @ApiPropertyOptional({
    enum: INSTITUTION_KINDS,
    description: 'medical 医疗 / rehab 康复 / assistive-device 辅助器具',
  })
  @IsOptional()
  @IsIn(INSTITUTION_KINDS)
  kind?: (typeof INSTITUTION_KINDS)[number];

  @ApiPropertyOptional({ description: '行政区划代码 or a prefix of it (2 to 6 digits)', example: '6401' })
  @IsOptional()
  @Matches(/^\d{2,6}$/, { message: '必须是 2 到 6 位数字的行政区划代码或其前缀' })
  region?: string;

  @ApiPropertyOptional({ description: 'Part of the institution name', example: '人民医院' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  name?: string;
}

export class InstitutionDto implements Institution {
  @ApiProperty({ enum: INSTITUTION_KINDS }) kind: Institution['kind'];
  @ApiProperty({ description: '序号 in its annex' }) seq: number;
  @ApiProperty({ example: '宁夏银川市' }) city: string;
  @ApiProperty({ example: '640104' }) regionCode: string;
  @ApiProperty({ example: '银川市第一人民医院' }) name: string;
  @ApiProperty({ type: String, nullable: true, example: '三级甲等' }) grade: string | null;
  @ApiProperty({
    example: '12640100454040971K',
    description: 'As printed; may fail the GB 32100 check (see the import warnings)',
  })
  creditCode: string;
  @ApiProperty({ type: String, nullable: true }) address: string | null;
  @ApiProperty({ type: [String] }) phones: string[];
  @ApiProperty({ type: String, nullable: true, example: '公立' }) ownership: string | null;
  @ApiProperty({ type: String, nullable: true }) insurerOffice: string | null;
  @ApiProperty({ type: [String] }) insurerOfficePhones: string[];
}

export class InstitutionListDto {
  @ApiProperty({ description: 'Version of the lists, from the annex titles', example: '2026-03' }) version: string;
  @ApiProperty() total: number;
  @ApiProperty({ type: [InstitutionDto] }) items: InstitutionDto[];
}
