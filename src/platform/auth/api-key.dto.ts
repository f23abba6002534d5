import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { ApiKey } from './api-key.entity';
import { SCOPES } from './scopes';

export class CreateApiKeyDto {
  @ApiProperty({ description: 'What the key is for', example: 'HIS 门诊收费', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({
    description: 'Capabilities the key may use',
    enum: SCOPES,
    isArray: true,
    example: ['identity', 'trace-codes'],
  })
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(SCOPES, { each: true })
  scopes: string[];

  @ApiPropertyOptional({
    description: 'IP addresses or CIDR ranges allowed to use the key; omitted = any',
    example: ['10.20.0.0/24'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  allowIps?: string[];

  @ApiPropertyOptional({
    description:
      'When the key stops working (ISO 8601 instant). Required with the admin scope (at most apiKeys.adminMaxDays ahead); omitted = no expiry',
    type: String,
    format: 'date-time',
    example: '2027-03-01T00:00:00+08:00',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: '到期时间应为 ISO 8601 时间，如 2027-03-01T00:00:00+08:00' })
  expiresAt?: string;
}

export class RevokeApiKeyDto {
  @ApiProperty({ description: 'Why the key is revoked (kept in the audit log)', example: 'HIS 服务器更换' })
  @IsString()
  @Length(1, 200)
  reason: string;
}

export class ApiKeyViewDto {
  @ApiProperty({ example: '3f9a0c12ab34' }) id: string;
  @ApiProperty({ example: 'HIS 门诊收费' }) name: string;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: string[];
  @ApiProperty({ type: [String], nullable: true, example: ['10.20.0.0/24'] }) allowIps: string[] | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ example: 'cli:root' }) createdBy: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Refused from then on; null = no expiry',
  })
  expiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) revokedReason: string | null;

  static from(key: ApiKey): ApiKeyViewDto {
    return {
      id: key.id,
      name: key.name,
      scopes: key.scopes,
      allowIps: key.allowIps,
      createdAt: key.createdAt.toISOString(),
      createdBy: key.createdBy,
      lastUsedAt: key.lastUsedAt ? key.lastUsedAt.toISOString() : null,
      expiresAt: key.expiresAt ? key.expiresAt.toISOString() : null,
      revokedAt: key.revokedAt ? key.revokedAt.toISOString() : null,
      revokedReason: key.revokedReason,
    };
  }
}

export class CreatedApiKeyDto {
  @ApiProperty({ type: ApiKeyViewDto }) key: ApiKeyViewDto;

  @ApiProperty({
    description: 'The secret token. Shown only in this response; store it in HIS now.',
    example: 'gwk_3f9a0c12ab34_…',
  })
  @MaxLength(100)
  token: string;
}

export class ListApiKeysQueryDto {
  @ApiPropertyOptional({ description: 'Include revoked keys', enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  includeRevoked?: string;
}
