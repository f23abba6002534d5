import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_PAGE_SIZE, LargeBody, principalOf, RequireScopes } from '../platform';
import {
  CreateFormDto,
  FormDetailDto,
  FormDto,
  FormKindDto,
  FormListQueryDto,
  SignFormDto,
  UpdateFormDto,
} from './forms.dto';
import { formKindDtos } from './forms.mapper';
import { FormDraftsService } from './form-drafts.service';
import { FormReadingService } from './form-reading.service';
import { FormSigningService } from './form-signing.service';

const PDF_SCHEMA = { schema: { type: 'string', format: 'binary' } };

function sendPdf(reply: FastifyReply, bytes: Buffer, fileName: string): Buffer {
  reply.header('content-type', 'application/pdf');
  reply.header('content-disposition', `inline; filename="${fileName}"`);
  reply.header('cache-control', 'no-store');
  return bytes;
}

@ApiTags('forms')
@Controller('api/v1/forms')
@RequireScopes('forms')
export class FormsController {
  constructor(
    private readonly drafts: FormDraftsService,
    private readonly signing: FormSigningService,
    private readonly reading: FormReadingService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Create a draft form (relapse filing, rehab application, self-pay consent) filled from HIS and the verified worker',
  })
  @ApiCreatedResponse({ type: FormDetailDto })
  async create(@Body() body: CreateFormDto, @Req() req: FastifyRequest): Promise<FormDetailDto> {
    return this.drafts.create(principalOf(req), body);
  }

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'Render a form as PDF without storing anything' })
  @ApiProduces('application/pdf')
  @ApiOkResponse(PDF_SCHEMA)
  async preview(
    @Body() body: CreateFormDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    return sendPdf(reply, await this.drafts.preview(principalOf(req), body), 'preview.pdf');
  }

  @Get()
  @ApiOperation({ summary: 'Forms of a visit (visitId) or of a worker (idNumber), every version, newest first' })
  @ApiOkResponse({ type: [FormDto] })
  async list(@Query() query: FormListQueryDto): Promise<FormDto[]> {
    return this.reading.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get('kinds')
  @ApiOperation({
    summary: 'The form kinds and their fields (key, Chinese label, type, required …), as the templates declare them',
  })
  @ApiOkResponse({ type: [FormKindDto] })
  kinds(): FormKindDto[] {
    return formKindDtos();
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'A form version: values, status (draft → signed → uploaded → acknowledged | rejected, and the upload’s progress) and its version history',
  })
  @ApiOkResponse({ type: FormDetailDto })
  async get(@Param('id') id: string): Promise<FormDetailDto> {
    return this.reading.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a draft; a signed version refuses (409 FORM_SIGNED_IMMUTABLE)' })
  @ApiOkResponse({ type: FormDetailDto })
  async update(
    @Param('id') id: string,
    @Body() body: UpdateFormDto,
    @Req() req: FastifyRequest,
  ): Promise<FormDetailDto> {
    return this.drafts.update(id, body, principalOf(req));
  }

  @Get(':id/pdf')
  @ApiOperation({
    summary: 'The PDF: the stored signed file byte for byte (digest checked), or the draft with a 草稿 footer',
  })
  @ApiProduces('application/pdf')
  @ApiOkResponse(PDF_SCHEMA)
  async pdf(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const { bytes, fileName } = await this.reading.pdf(id);
    return sendPdf(reply, bytes, fileName);
  }

  @Post(':id/signature')
  @LargeBody()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Sign a draft: the signature image placed with the date, or a scanned signed copy; stored, then uploaded through the outbox (9101)',
  })
  @ApiOkResponse({ type: FormDetailDto })
  async sign(@Param('id') id: string, @Body() body: SignFormDto, @Req() req: FastifyRequest): Promise<FormDetailDto> {
    return this.signing.sign(id, body, principalOf(req));
  }

  @Post(':id/corrections')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Correct a signed form: a new draft version that references this one (only the latest version)',
  })
  @ApiCreatedResponse({ type: FormDetailDto })
  async correct(
    @Param('id') id: string,
    @Body() body: UpdateFormDto,
    @Req() req: FastifyRequest,
  ): Promise<FormDetailDto> {
    return this.drafts.correct(id, body, principalOf(req));
  }
}
