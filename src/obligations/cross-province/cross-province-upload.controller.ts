import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorBodyDto, principalOf, RequireScopes } from '../../platform';
import { ObligationDto, toObligationDto } from '../obligations.dto';
import { ObligationsService } from '../obligations.service';
import { CrossProvinceUploadService } from './cross-province-upload.service';
import { UploadInvoiceDto } from './cross-province.dto';

/** HIS gives what a cross-province upload waits for: the invoice of an assistive-device settlement. */
@ApiTags('settlement')
@Controller('api/v1/settlement/settlements')
@RequireScopes('settlement')
export class CrossProvinceUploadController {
  constructor(
    private readonly uploads: CrossProvinceUploadService,
    private readonly obligations: ObligationsService,
  ) {}

  @Post(':id/invoice')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'The invoice number of an assistive-device settlement of a cross-province worker: completes and queues its 3301 (device 协议 25)',
  })
  @ApiOkResponse({ type: ObligationDto, description: 'The upload duty, its 3301 queued (detail.msgid)' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'CROSS_PROVINCE_UPLOAD_NOT_FOUND' })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: 'CROSS_PROVINCE_UPLOAD_NO_INVOICE, CROSS_PROVINCE_UPLOAD_CLOSED',
  })
  async invoice(
    @Param('id') id: string,
    @Body() body: UploadInvoiceDto,
    @Req() req: FastifyRequest,
  ): Promise<ObligationDto> {
    const after = await this.uploads.invoice(principalOf(req), id, body.invoiceNo);
    return toObligationDto(after, this.obligations.today());
  }
}
