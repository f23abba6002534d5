import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 100;

/**
 * Keyset paging over time-ordered (uuidv7) ids, newest first: `before` is the last id of the
 * previous page. Stable while rows are being appended, unlike offsets.
 */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Page backwards: rows older than this id (the last id of the previous page)' })
  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/, { message: '必须是上一页最后一条记录的 id' })
  before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
