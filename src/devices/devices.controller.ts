import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { classifyCode } from '../../drivers/protocols/code-classifier';
import { RequireScopes } from '../platform/auth/decorators';
import { DeviceEvents } from './device-events';
import { DeviceRegistry } from './device-registry';
import { ClassificationDto, DeviceViewDto, KeyboardScanDto } from './devices.dto';

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

  /** Keyboard-wedge scanners type into a browser page; the page posts what arrived. */
  @Post('scans')
  @HttpCode(200)
  @RequireScopes('identity', 'trace-codes')
  @ApiOperation({ summary: 'Submit a scan typed by a keyboard-wedge scanner; answers what the code is' })
  @ApiOkResponse({ type: ClassificationDto })
  submitScan(@Body() body: KeyboardScanDto): ClassificationDto {
    const classification = classifyCode(body.text);
    this.events.publish({ type: 'scan', deviceId: `keyboard:${body.desk}`, desk: body.desk, scan: { text: body.text, classification, at: new Date() }, source: 'keyboard' });
    return classification.kind === 'refused' ? { kind: 'refused', code: classification.code, message: classification.message } : { kind: classification.kind };
  }
}
