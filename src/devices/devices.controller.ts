import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { classifyCode } from '../../drivers/protocols/code-classifier';
import { RequireScopes } from '../platform';
import { discoverDevices } from './device-discovery';
import { DeviceEvents } from './device-events';
import { DeviceRegistry } from './device-registry';
import { ClassificationDto, DeviceViewDto, DiscoveryDto, KeyboardScanDto } from './devices.dto';

@ApiTags('devices')
@Controller('api/v1/devices')
export class DevicesController {
  constructor(
    private readonly devices: DeviceRegistry,
    private readonly events: DeviceEvents,
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
