import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../platform';
import { InstitutionListDto, InstitutionQueryDto } from './institutions.dto';
import { InstitutionsService } from './institutions.service';

@ApiTags('reference')
@Controller('api/v1/reference')
@RequireScopes() // any valid key: reference data is not personal
export class InstitutionsController {
  constructor(private readonly institutions: InstitutionsService) {}

  @Get('institutions')
  @ApiOperation({
    summary: 'Ningxia agreement institutions (medical, rehabilitation, assistive-device), from Annexes 4–6',
  })
  @ApiOkResponse({ type: InstitutionListDto })
  list(@Query() query: InstitutionQueryDto): InstitutionListDto {
    const items = this.institutions.find(query);
    return { version: this.institutions.version, total: items.length, items };
  }
}
