import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators';
import { GatewayConfig } from '../config/gateway-config';
import { gatewayVersion } from '../config/project-root';
import { HealthService } from './health.service';

class ComponentHealthDto {
  @ApiProperty({ enum: ['up', 'degraded', 'down'] }) status: string;
  @ApiProperty({ required: false }) detail?: string;
}

class HealthDto {
  @ApiProperty({ enum: ['up', 'degraded', 'down'], description: 'down = a critical component is down (HTTP 503)' })
  status: string;
  @ApiProperty({ enum: ['production', 'sandbox'] }) mode: string;
  @ApiProperty({ example: '0.1.0' }) version: string;
  @ApiProperty() uptimeSeconds: number;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(ComponentHealthDto) } })
  components: Record<string, ComponentHealthDto>;
}

@ApiTags('operations')
@ApiExtraModels(ComponentHealthDto)
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly config: GatewayConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Health of the gateway and of each component (database, upstream, devices)' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'A critical component is down' })
  async get(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const report = await this.health.report();
    void reply.status(report.status === 'down' ? 503 : 200);
    return {
      status: report.status,
      mode: this.config.mode,
      version: gatewayVersion(),
      uptimeSeconds: Math.round(process.uptime()),
      components: report.components,
    };
  }
}
