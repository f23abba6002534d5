import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, ValidateNested } from 'class-validator';

export class HisIdentityDto {
  @ApiProperty({
    description: 'ID number HIS registered for the patient (18 characters)',
    example: '640104198503120319',
  })
  @IsString()
  @Length(15, 18)
  idNumber: string;

  @ApiProperty({ description: 'Name HIS registered', example: '马建国' })
  @IsString()
  @Length(1, 60)
  name: string;
}

export class CreateSessionDto {
  @ApiProperty({ description: 'The desk whose devices feed this session', example: '门诊挂号1' })
  @IsString()
  @Length(1, 40)
  desk: string;

  @ApiProperty({ description: 'HIS visit id (门诊/住院号)', example: 'MZ20261125001' })
  @IsString()
  @Length(1, 64)
  visitId: string;

  @ApiProperty({ enum: ['outpatient', 'inpatient'] })
  @IsIn(['outpatient', 'inpatient'])
  visitKind: 'outpatient' | 'inpatient';

  @ApiProperty({
    type: HisIdentityDto,
    required: false,
    description: 'The identity HIS registered: counts as person evidence',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => HisIdentityDto)
  hisIdentity?: HisIdentityDto;
}

export class AddQrDto {
  @ApiProperty({
    description: 'The scanned QR text (电子社保卡 / 宁夏融合码), opaque',
    example: 'ESSC0123456789abcdef0123456789abcdef01234567',
  })
  @IsString()
  @Length(8, 512)
  text: string;
}

export class StaffConfirmationDto {
  @ApiPropertyOptional({
    description:
      'Staff member who looked at the patient: required with an API key; from the console the signed-in staff ' +
      'member (their login) is recorded, and a value given must be theirs',
    example: 'S0012',
  })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  staffId?: string;

  @ApiPropertyOptional({ description: 'Their name; from the console the signed-in staff member’s', example: '王芳' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  staffName?: string;
}

export class DoctorViewRequestDto {
  @ApiProperty({ description: 'The verification token of a MATCH' })
  @IsString()
  @Length(1, 2048)
  token: string;
}

export class CheckDto {
  @ApiProperty({ description: 'Stable English code', example: 'ID_NUMBER_MISMATCH' }) code: string;
  @ApiProperty() passed: boolean;
  @ApiProperty({ description: 'Chinese, for desk staff (names sources, never personal data)' }) message: string;
  @ApiProperty({ type: [String] }) evidence: string[];
  @ApiProperty({ enum: ['mismatch', 'not-covered', 'unusable', 'incomplete'] }) effect: string;
}

export class MissingDto {
  @ApiProperty({ enum: ['NEED_CREDENTIAL', 'NEED_PERSON', 'NEED_COVERAGE'] }) code: string;
  @ApiProperty() message: string;
}

export class SessionDto {
  @ApiProperty() id: string;
  @ApiProperty() desk: string;
  @ApiProperty({ type: String, nullable: true }) visitId: string | null;
  @ApiProperty({ enum: ['outpatient', 'inpatient'] }) visitKind: string;
  @ApiProperty({ enum: ['MATCH', 'MISMATCH', 'INCOMPLETE', 'NOT_COVERED'] }) verdict: string;
  @ApiProperty({ description: 'true: the insurer could not be reached; the verdict rests on local evidence' })
  offline: boolean;
  @ApiProperty({ enum: ['confirmed', 'cached', 'pending'] }) coverage: string;
  @ApiProperty({ type: [CheckDto] }) checks: CheckDto[];
  @ApiProperty({ type: [MissingDto] }) missing: MissingDto[];
  @ApiProperty({ type: [String], description: 'Evidence sources present' }) sources: string[];
  @ApiProperty({ type: String, nullable: true, description: 'Verification token, only with MATCH' }) token:
    string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) tokenExpiresAt: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class DoctorViewDto {
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty() sessionId: string;
  @ApiProperty() visitId: string;
  @ApiProperty({ description: '人员编号' }) psnNo: string;
  @ApiProperty({ type: String, nullable: true, description: '在职 / 退休 / 老工伤' }) psnType: string | null;
  @ApiProperty({ enum: ['determined', 'pending', 'none'] }) injuryStatus: string;
  @ApiProperty({ type: String, nullable: true }) determinationNo: string | null;
  @ApiProperty({ type: String, nullable: true }) determinationDate: string | null;
  @ApiProperty({ type: String, nullable: true }) injuryDate: string | null;
  @ApiProperty({ type: [String], description: '受伤部位' }) injuredParts: string[];
  @ApiProperty({ type: String, nullable: true, description: '职业病病种' }) occupationalDisease: string | null;
  @ApiProperty({ type: Number, nullable: true, description: '伤残等级 1–10' }) disabilityGrade: number | null;
  @ApiProperty({ enum: ['injury', 'occupational-disease'] }) category: string;
  @ApiProperty({ enum: ['insurer', 'coverageCache'] }) coverageSource: string;
}
