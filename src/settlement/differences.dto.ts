import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PageQueryDto } from '../platform';

/** Request and response DTOs of the differences left by settlements made while the insurer was away. */
export class SettlementDifferenceDto {
  @ApiProperty({ description: 'The difference id (uuidv7)' }) id: string;
  @ApiProperty({ description: 'The settlement record id' }) settlementId: string;
  @ApiProperty({ description: 'The HIS visit id' }) visitId: string;
  @ApiProperty({
    enum: ['split-differs', 'rejected'],
    description: 'split-differs: the insurer’s split is not the provisional one; rejected: the insurer refused it',
  })
  cause: string;
  @ApiProperty({ description: 'What the desk collected under the provisional split (fen)' }) provisionalFen: number;
  @ApiProperty({ description: 'What the worker pays under the insurer’s outcome (fen)' }) finalFen: number;
  @ApiProperty({ description: '|final − provisional| (fen), above 0' }) differenceFen: number;
  @ApiProperty({ enum: ['collect', 'refund'], description: 'collect from the worker, or refund them' })
  direction: string;
  @ApiProperty({ enum: ['open', 'done'] }) state: string;
  @ApiProperty({ type: String, nullable: true }) desk: string | null;
  @ApiProperty({ description: 'What the desk is to do, in Chinese' }) message: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, nullable: true }) resolvedBy: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) resolvedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) resolutionNote: string | null;
}

export class DifferenceListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'done'], description: 'Only open (to collect or refund) or done ones' })
  @IsOptional()
  @IsIn(['open', 'done'], { message: '必须是 open 或 done' })
  state?: 'open' | 'done';
}

export class ResolveDifferenceDto {
  @ApiProperty({ description: 'The staff member who collected or refunded it' })
  @IsString()
  @Length(1, 100)
  staff: string;

  @ApiProperty({ description: 'What was done, e.g. 已补收 12.00 元，收据号 …' })
  @IsString()
  @Length(1, 500)
  note: string;
}
