import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../platform';
import { OUTBOX_STATUSES } from '../upstream/outbox/outbox-message.entity';
import { FORM_STATUSES } from './form-document.entity';
import { FORM_KINDS } from './kinds/form-kinds';

const VALUES_DESCRIPTION =
  'The form fields (keys of the kind’s template, see docs/forms.md): unit, address, history, diagnosis, treatment period, doctors … ' +
  'With a verification token the worker fields (name, sex, birthDate, idNumber, injury and determination data) come from the insurer; ' +
  'given here as well, they must agree with it. Each missing or invalid field is listed in a 400.';

export class CreateFormDto {
  @ApiProperty({ enum: FORM_KINDS, example: 'relapse-filing' })
  @IsString()
  @Length(1, 40)
  kind: string;

  @ApiProperty({ description: 'HIS visit id (门诊/住院号)', example: 'ZY20261125001' })
  @IsString()
  @Length(1, 64)
  visitId: string;

  @ApiPropertyOptional({
    description: 'The verification token of a MATCH for this visit: the worker fields are taken from the insurer',
  })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  verificationToken?: string;

  @ApiPropertyOptional({
    description: 'The insurer person number (人员编号), when no verification token is given; needed for the upload',
    example: '6401040000102318',
  })
  @IsOptional()
  @Matches(/^\d{1,30}$/, { message: '人员编号必须是数字' })
  psnNo?: string;

  @ApiPropertyOptional({ description: 'The insurer visit id (就诊ID, mdtrt_id), sent with the upload when known' })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  mdtrtId?: string;

  @ApiPropertyOptional({
    description: 'Relapse only: the relapse is disputed (the PDF says so where the form provides)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  disputed?: boolean;

  @ApiProperty({ type: 'object', additionalProperties: true, description: VALUES_DESCRIPTION })
  @IsObject()
  values: Record<string, unknown>;
}

export class UpdateFormDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Fields to set (merged over the draft’s)',
  })
  @IsOptional()
  @IsObject()
  values?: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  disputed?: boolean;
}

export class SignFormDto {
  @ApiPropertyOptional({
    description:
      'The handwritten signature from a signature pad or tablet: PNG, Base64 (placed in the signature box with the date)',
  })
  @IsOptional()
  @IsString()
  signaturePng?: string;

  @ApiPropertyOptional({
    description: 'The date written next to the signature (YYYY-MM-DD); default today (Beijing)',
    example: '2026-11-25',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '必须是 YYYY-MM-DD 格式的日期' })
  signedAt?: string;

  @ApiPropertyOptional({
    description: 'Instead of a signature image: the scanned signed copy, PDF, Base64 (stored as the file)',
  })
  @IsOptional()
  @IsString()
  scannedPdf?: string;
}

export class FormListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Forms of one visit' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  visitId?: string;

  @ApiPropertyOptional({ description: 'Forms of one worker (matched by keyed hash; never stored in clear)' })
  @IsOptional()
  @IsString()
  @Length(15, 18)
  idNumber?: string;
}

export class UploadDto {
  @ApiProperty({
    enum: OUTBOX_STATUSES,
    description:
      'The outbox message: pending (waiting for a try), sending, unknown (sent, answer not known: asked before any resend), delivered, rejected, cancelled',
  })
  state: string;
  @ApiProperty() attempts: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the last try did not settle it (e.g. the insurer was unreachable)',
  })
  lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) nextAttemptAt: string;
}

export class FormDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Stable across versions', example: 'F20261125A1B2C3D4' }) formNo: string;
  @ApiProperty() version: number;
  @ApiProperty({ type: String, nullable: true, description: 'The version this one corrects' }) previousId:
    string | null;
  @ApiProperty({ enum: FORM_KINDS }) kind: string;
  @ApiProperty({ example: '宁夏回族自治区工伤复发就医备案表' }) title: string;
  @ApiProperty() visitId: string;
  @ApiProperty() disputed: boolean;
  @ApiProperty({
    enum: FORM_STATUSES,
    description:
      'draft → signed (stored; its 9101 upload queued, see upload) → uploaded (sent, the insurer’s answer not known yet) → acknowledged (insurerFileId) | rejected (rejectReason). A form without a person number stays signed.',
  })
  status: string;
  @ApiProperty({ type: String, nullable: true, description: "The insurer's reason when rejected" }) rejectReason:
    string | null;
  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the stored signed file' }) sha256:
    string | null;
  @ApiProperty({ type: Number, nullable: true }) size: number | null;
  @ApiProperty({ type: String, nullable: true, enum: ['pad', 'scan'] }) signatureKind: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) signedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Never deleted before this' })
  keepUntil: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The outbox message (9101) carrying the upload' })
  uploadMsgid: string | null;
  @ApiProperty({
    type: UploadDto,
    nullable: true,
    description: 'The upload in the outbox: state, tries, last error, next try (null when nothing is to be uploaded)',
  })
  upload: UploadDto | null;
  @ApiProperty({ type: String, nullable: true, description: "The insurer's file_id once acknowledged" }) insurerFileId:
    string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: string;
}

export class FormVersionDto {
  @ApiProperty() id: string;
  @ApiProperty() version: number;
  @ApiProperty({ enum: FORM_STATUSES }) status: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) signedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) sha256: string | null;
  @ApiProperty({ type: String, nullable: true }) previousId: string | null;
}

export class FormDetailDto extends FormDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The filled fields' }) values: Record<
    string,
    unknown
  >;
  @ApiProperty({ type: [String], description: 'Fields filled from the insurer through the verification token' })
  verifiedWorkerFields: string[];
  @ApiProperty({ type: [FormVersionDto], description: 'Every version of this form, oldest first' })
  versions: FormVersionDto[];
}

export class FormFieldColumnDto {
  @ApiProperty({ example: 'amount' }) key: string;
  @ApiProperty({ example: '金额' }) label: string;
  @ApiProperty({ enum: ['text', 'date', 'idNumber', 'phone', 'amount'] }) type: string;
  @ApiProperty() required: boolean;
  @ApiPropertyOptional({ description: 'At most this many characters' }) maxLength?: number;
}

export class FormFieldDto {
  @ApiProperty({ description: 'The key in values', example: 'opinionDate' }) key: string;
  @ApiProperty({ description: 'Chinese name, as on the form', example: '医疗机构意见日期' }) label: string;
  @ApiProperty({
    enum: ['text', 'date', 'idNumber', 'phone', 'amount', 'table'],
    description: 'date = YYYY-MM-DD, amount = yuan with at most two decimals, table = a list of rows (columns)',
  })
  type: string;
  @ApiProperty({ description: 'Signing needs it (checked with the verified worker merged in)' }) required: boolean;
  @ApiPropertyOptional({ description: 'At most this many characters' }) maxLength?: number;
  @ApiPropertyOptional({ type: [String], description: 'The allowed values' }) enum?: string[];
  @ApiPropertyOptional({ type: [FormFieldColumnDto], description: 'A table’s columns' })
  columns?: FormFieldColumnDto[];
  @ApiPropertyOptional({ description: 'A table’s most rows' }) maxRows?: number;
}

export class FormKindDto {
  @ApiProperty({ enum: FORM_KINDS }) kind: string;
  @ApiProperty({ example: '宁夏回族自治区工伤复发就医备案表' }) title: string;
  @ApiProperty({ type: [FormFieldDto], description: 'Every field of the kind’s template, in the template’s order' })
  fields: FormFieldDto[];
}
