import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorBodyDto, principalOf, RequireScopes } from '../../platform';
import { ObligationDto, toObligationDto } from '../obligations.dto';
import { ObligationsService } from '../obligations.service';
import { RehabAssessmentDto } from './cross-province.dto';
import { RehabAssessmentService } from './rehab-assessment.service';

/** HIS reports the rehab assessment of a rehab admission (R6). */
@ApiTags('settlement')
@Controller('api/v1/settlement/visits')
@RequireScopes('settlement')
export class RehabAssessmentController {
  constructor(
    private readonly assessments: RehabAssessmentService,
    private readonly obligations: ObligationsService,
  ) {}

  @Post(':visitId/rehab-assessment')
  @HttpCode(200)
  @ApiOperation({
    summary: 'The rehab assessment of a rehab admission was made (R6: within 5 days of admission): fulfils its duty',
  })
  @ApiOkResponse({ type: ObligationDto, description: 'The duty: done, or late when reported after its due day' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'SETTLEMENT_VISIT_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'REHAB_ASSESSMENT_NOT_REHAB_ADMISSION' })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDto, description: 'REHAB_ASSESSMENT_DATE_INVALID' })
  async record(
    @Param('visitId') visitId: string,
    @Body() body: RehabAssessmentDto,
    @Req() req: FastifyRequest,
  ): Promise<ObligationDto> {
    const after = await this.assessments.record(principalOf(req), visitId, body);
    return toObligationDto(after, this.obligations.today());
  }
}
