import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_PAGE_SIZE, ErrorBodyDto, LargeBody, PageQueryDto, principalOf, RequireScopes } from '../platform';
import { CatalogueImportService } from './catalogue-import.service';
import { CatalogueMappingService } from './catalogue-mapping.service';
import {
  CatalogueImportDto,
  CatalogueImportReportDto,
  CatalogueItemDetailDto,
  CatalogueVersionDto,
} from './settlement.dto';

@ApiTags('settlement')
@Controller('api/v1/settlement')
@RequireScopes('settlement')
export class SettlementController {
  constructor(
    private readonly imports: CatalogueImportService,
    private readonly mapping: CatalogueMappingService,
  ) {}

  @Post('catalogue/imports')
  @LargeBody()
  @ApiOperation({
    summary:
      'Import the hospital’s catalogue mapping file (编码比对, CSV as Base64): a new current version, or the report only (dryRun)',
  })
  @ApiCreatedResponse({ type: CatalogueImportReportDto, description: 'Stored as a new version, now current' })
  @ApiOkResponse({ type: CatalogueImportReportDto, description: 'A dry run, or the same file as the current version' })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description:
      'CATALOGUE_IMPORT_INVALID (details: one per error row, context.row / hisCode / en), CATALOGUE_HEADER_MISSING, CATALOGUE_FILE_NOT_CSV, …',
  })
  async importCatalogue(
    @Body() body: CatalogueImportDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CatalogueImportReportDto> {
    const report = await this.imports.import(
      principalOf(req),
      { name: body.fileName, bytes: Buffer.from(body.contentBase64, 'base64') },
      { dryRun: body.dryRun, note: body.note },
    );
    reply.status(report.outcome === 'stored' ? 201 : 200);
    return report;
  }

  @Get('catalogue/versions')
  @ApiOperation({ summary: 'Mapping versions, newest first (which one is current)' })
  @ApiOkResponse({ type: [CatalogueVersionDto] })
  async versions(@Query() query: PageQueryDto): Promise<CatalogueVersionDto[]> {
    return this.mapping.listVersions(query.limit ?? DEFAULT_PAGE_SIZE, query.before);
  }

  @Get('catalogue/items/:hisCode')
  @ApiOperation({ summary: 'A HIS item code: its mapping in the current version and in every version that lists it' })
  @ApiOkResponse({ type: CatalogueItemDetailDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'CATALOGUE_ITEM_NOT_FOUND' })
  async item(@Param('hisCode') hisCode: string): Promise<CatalogueItemDetailDto> {
    return this.mapping.item(hisCode);
  }
}
