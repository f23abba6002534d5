import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiGatewayTimeoutResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { classifyCode } from '../../drivers/protocols/code-classifier';
import { ErrorBodyDto, principalOf, RequireScopes } from '../platform';
import { discoverDevices } from './device-discovery';
import { DeviceEvents } from './device-events';
import { DeviceRegistry } from './device-registry';
import { DeviceTestReads } from './device-test-reads';
import {
  ClassificationDto,
  DeviceViewDto,
  DiscoveryDto,
  KeyboardScanDto,
  TestReadDto,
  TestReadResultDto,
} from './devices.dto';

const DEFAULT_TEST_READ_WAIT_SECONDS = 20;

@ApiTags('devices')
@Controller('api/v1/devices')
export class DevicesController {
  constructor(
    private readonly devices: DeviceRegistry,
    private readonly events: DeviceEvents,
    private readonly testReads: DeviceTestReads,
  ) {}

  @Get()
  @RequireScopes('admin')
  @ApiOperation({ summary: 'Configured devices and their status' })
  @ApiOkResponse({ type: [DeviceViewDto] })
  list(): DeviceViewDto[] {
    return this.devices.list().map((d) => DeviceViewDto.from(d));
  }

  /** What is attached to this machine, to help IT staff write the devices config. */
  @Get('discovery')
  @RequireScopes('admin')
  @ApiOperation({ summary: 'Serial ports, HID devices and PC/SC readers attached to this machine' })
  @ApiOkResponse({ type: DiscoveryDto })
  async discovery(): Promise<DiscoveryDto> {
    return discoverDevices();
  }

  @Get(':id')
  @RequireScopes('admin')
  @ApiOperation({ summary: 'One configured device and its status' })
  @ApiOkResponse({ type: DeviceViewDto })
  one(@Param('id') id: string): DeviceViewDto {
    return DeviceViewDto.from(this.devices.require(id));
  }

  /** IT checks a device end to end: the next card or scan at it, on this machine or through its desk's agent. */
  @Post(':id/test-read')
  @HttpCode(200)
  @RequireScopes('admin')
  @ApiOperation({
    summary:
      'Test read: wait for the next card, ID card or scan at the device (on a desk PC: asked through its desk agent); audited',
  })
  @ApiOkResponse({ type: TestReadResultDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'DEVICE_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'AGENT_NOT_CONNECTED' })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDto, description: 'DEVICE_TEST_READ_FAILED' })
  @ApiGatewayTimeoutResponse({ type: ErrorBodyDto, description: 'AGENT_TEST_READ_TIMEOUT' })
  async testRead(
    @Param('id') id: string,
    @Body() body: TestReadDto,
    @Req() req: FastifyRequest,
  ): Promise<TestReadResultDto> {
    return this.testReads.run(id, body.waitSeconds ?? DEFAULT_TEST_READ_WAIT_SECONDS, principalOf(req));
  }

  /** Keyboard-wedge scanners type into a browser page; the page posts what arrived. */
  @Post('scans')
  @HttpCode(200)
  @RequireScopes('identity', 'trace-codes')
  @ApiOperation({ summary: 'Submit a scan typed by a keyboard-wedge scanner; answers what the code is' })
  @ApiOkResponse({ type: ClassificationDto })
  submitScan(@Body() body: KeyboardScanDto): ClassificationDto {
    const classification = classifyCode(body.text);
    this.events.publish({
      type: 'scan',
      deviceId: `keyboard:${body.desk}`,
      desk: body.desk,
      scan: { text: body.text, classification, at: new Date() },
      source: 'keyboard',
    });
    return ClassificationDto.from(classification);
  }
}
