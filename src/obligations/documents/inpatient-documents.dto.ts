import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** HIS sends a 病案首页 or 出院小结 of an inpatient visit: the PDF, Base64. */
export class SendDocumentDto {
  @ApiProperty({ description: 'The PDF, Base64 (at most 10 MB decoded)' })
  @IsString()
  contentBase64: string;

  @ApiPropertyOptional({ description: 'The file name HIS gives it (kept for the record; …pdf)', maxLength: 150 })
  @IsOptional()
  @IsString()
  @MaxLength(150)
  @Matches(/\.pdf$/i, { message: 'fileName 应以 .pdf 结尾' })
  fileName?: string;
}

/** One document of an inpatient settlement: its current version and its upload. */
export class InpatientDocumentDto {
  @ApiProperty({ enum: ['03', '04', '05', '06'], description: '9101 doc_type' }) docType: string;
  @ApiProperty({ description: '病案首页 / 出院小结 / 费用明细清单 / 费用结算单' }) name: string;
  @ApiProperty({ enum: ['his', 'gateway'], description: 'HIS sent it, or the gateway rendered it' })
  source: string;
  @ApiProperty({
    enum: ['missing', 'stored', 'queued', 'acknowledged', 'rejected'],
    description:
      'missing (not sent / not rendered yet) → stored → queued (its 9101 upload in the outbox) → acknowledged (fileId) | rejected (rejectReason)',
  })
  status: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The current version (1, 2, …); older ones are kept' })
  version: number | null;
  @ApiProperty({ type: Number, description: 'How many versions are kept' }) versions: number;
  @ApiProperty({ type: String, nullable: true }) sha256: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Bytes' }) size: number | null;
  @ApiProperty({ type: String, nullable: true, description: "The insurer's file_id" }) fileId: string | null;
  @ApiProperty({ type: String, nullable: true }) rejectReason: string | null;
  @ApiProperty({ type: String, nullable: true }) storedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) uploadedAt: string | null;
}

/** The answer to a HIS send. */
export class SentDocumentDto extends InpatientDocumentDto {
  @ApiProperty({ description: 'The same content was sent before: nothing new stored' }) unchanged: boolean;
}
