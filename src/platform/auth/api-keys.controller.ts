import { Body, Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiBadRequestResponse, ApiNotFoundResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorBodyDto } from '../errors/error-body';
import { ApiKeyViewDto, CreateApiKeyDto, CreatedApiKeyDto, ListApiKeysQueryDto, RevokeApiKeyDto } from './api-key.dto';
import { ApiKeyService } from './api-key.service';
import { RequireScopes } from './decorators';
import { principalOf } from './request-principal';

@ApiTags('admin')
@Controller('api/v1/admin/api-keys')
@RequireScopes('admin')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Get()
  @ApiOperation({ summary: 'List API keys (never their secrets)' })
  @ApiOkResponse({ type: [ApiKeyViewDto] })
  async list(@Query() query: ListApiKeysQueryDto): Promise<ApiKeyViewDto[]> {
    return (await this.apiKeys.list(query.includeRevoked === 'true')).map((k) => ApiKeyViewDto.from(k));
  }

  @Post()
  @ApiOperation({ summary: 'Create an API key; the token is in this response only' })
  @ApiOkResponse({ type: CreatedApiKeyDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  async create(@Body() body: CreateApiKeyDto, @Req() req: FastifyRequest): Promise<CreatedApiKeyDto> {
    const { key, token } = await this.apiKeys.create(
      {
        name: body.name,
        scopes: body.scopes,
        allowIps: body.allowIps,
        expiresAt: body.expiresAt === undefined ? undefined : new Date(body.expiresAt),
      },
      principalOf(req),
    );
    return { key: ApiKeyViewDto.from(key), token };
  }

  @Post(':id/revoke')
  @ApiOperation({ summary: 'Revoke an API key at once' })
  @ApiOkResponse({ type: ApiKeyViewDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async revoke(
    @Param('id') id: string,
    @Body() body: RevokeApiKeyDto,
    @Req() req: FastifyRequest,
  ): Promise<ApiKeyViewDto> {
    return ApiKeyViewDto.from(await this.apiKeys.revoke(id, body.reason, principalOf(req)));
  }
}
