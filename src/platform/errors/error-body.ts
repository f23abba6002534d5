import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiPropertyOptional({ description: 'The request field concerned, as a dotted path', example: 'scopes.0' })
  field?: string;

  @ApiPropertyOptional({ description: 'Stable English code of this detail', example: 'isIn' })
  code?: string;

  @ApiProperty({ description: 'Chinese explanation of what to change', example: '取值必须是以下之一：identity, admin' })
  message: string;

  @ApiPropertyOptional({
    description: 'Facts behind the detail a program may use; never personal data',
    example: { usedAt: '2026-11-25T06:03:00.000Z', visitId: 'V20261125001', lineNo: '3' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  context?: Record<string, string>;
}

/** The one error body every endpoint answers with. */
export class ErrorBodyDto {
  @ApiProperty({ description: 'Stable English error code; branch on this', example: 'AUTH_SCOPE_MISSING' })
  code: string;

  @ApiProperty({
    description: 'Chinese message for desk staff',
    example: '该 API 密钥没有访问此接口的权限（需要 admin）',
  })
  message: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto] })
  details?: ErrorDetailDto[];

  @ApiProperty({
    description: 'Request id, also in the x-request-id header and the logs',
    example: '0f8fad5b-d9cb-469f-a165-70867728950e',
  })
  correlationId: string;
}
