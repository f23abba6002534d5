import { Controller, Get } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth/decorators';
import { ErrorBodyDto } from '../errors/error-body';
import { configOrigins, configSources } from './config-loader';
import { maskConfig } from './config-secrets';
import { GatewayConfig } from './gateway-config';
import { ConfigViewDto } from './config-view.dto';

/** The configuration in effect (after the overlay file and GW_ variables), for IT: secrets masked. */
@ApiTags('admin')
@Controller('api/v1/admin/config')
@RequireScopes('admin')
export class ConfigController {
  constructor(private readonly config: GatewayConfig) {}

  @Get()
  @ApiOperation({ summary: 'The effective configuration, every secret masked, with where each value came from' })
  @ApiOkResponse({ type: ConfigViewDto })
  @ApiForbiddenResponse({ type: ErrorBodyDto })
  view(): ConfigViewDto {
    const { tree, leaves } = maskConfig(this.config, configOrigins(this.config));
    return {
      mode: this.config.mode,
      sources: [...(configSources(this.config) ?? [])],
      config: tree,
      entries: leaves,
    };
  }
}
