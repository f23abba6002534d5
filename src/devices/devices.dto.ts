import type { Classification } from '../../drivers/protocols/code-classifier';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { DEVICE_HOSTS, DEVICE_KINDS, DEVICE_TRANSPORTS } from './devices.config';
import type { DeviceView } from './device-registry';

export class DeviceViewDto {
  @ApiProperty({ example: 'desk1-idcard' }) id: string;
  @ApiProperty({ enum: DEVICE_KINDS }) kind: string;
  @ApiProperty({ enum: DEVICE_TRANSPORTS }) transport: string;
  @ApiProperty({
    enum: DEVICE_HOSTS,
    description: 'gateway: a port of the gateway’s machine; agent: a port of the desk’s PC, opened by its desk agent',
  })
  host: string;
  @ApiProperty({ example: '门诊挂号1' }) desk: string;
  @ApiProperty({
    example: '/dev/ttyUSB0',
    nullable: true,
    type: String,
    description: 'Port, VID:PID or reader name; null for simulated devices',
  })
  path: string | null;
  @ApiProperty({
    enum: ['connecting', 'connected', 'waiting', 'reading', 'authentication-required', 'disconnected', 'error'],
  })
  state: string;
  @ApiProperty({ description: 'What is happening or what to check (Chinese)' }) message: string;
  @ApiProperty({ type: String, format: 'date-time' }) since: string;

  static from(d: DeviceView): DeviceViewDto {
    return {
      id: d.id,
      kind: d.kind,
      transport: d.transport,
      host: d.host,
      desk: d.desk,
      path: d.path,
      state: d.status.state,
      message: d.status.message,
      since: d.status.at.toISOString(),
    };
  }
}

export class KeyboardScanDto {
  @ApiProperty({ description: 'The desk the browser belongs to', example: '门诊挂号1' })
  @IsString()
  @Length(1, 40)
  desk: string;

  @ApiProperty({ description: 'What the keyboard-wedge scanner typed', example: '81234567890123456789' })
  @IsString()
  @Length(1, 4096)
  text: string;
}

export class ClassificationDto {
  @ApiProperty({ enum: ['trace-code', 'gs1', 'commodity-barcode', 'id-number', 'qr-token', 'refused'] }) kind: string;
  @ApiProperty({ required: false, description: 'For refusals: stable English code' }) code?: string;
  @ApiProperty({ required: false, description: 'For refusals: what to scan instead (Chinese)' }) message?: string;

  /** What a scan is; a refusal also says why (its details stay out of the answer). */
  static from(c: Classification): ClassificationDto {
    return c.kind === 'refused' ? { kind: 'refused', code: c.code, message: c.message } : { kind: c.kind };
  }
}

class DiscoverySectionDto {
  @ApiProperty({ description: 'false when the library or service needed to look is missing' }) ok: boolean;
  @ApiProperty({ required: false, type: 'array', items: { type: 'object' }, description: 'What was found' })
  items?: object[];
  @ApiProperty({ required: false, description: 'Why the list may be incomplete (Chinese)' }) note?: string;
  @ApiProperty({ required: false, description: 'Why nothing could be looked for, and what to install (Chinese)' })
  message?: string;
}

export class DiscoveryDto {
  @ApiProperty({ type: DiscoverySectionDto, description: 'Serial ports (path, manufacturer, vendorId, productId)' })
  serial: DiscoverySectionDto;
  @ApiProperty({ type: DiscoverySectionDto, description: 'HID devices (vidPid, path, description, hidPos)' })
  hid: DiscoverySectionDto;
  @ApiProperty({ type: DiscoverySectionDto, description: 'PC/SC readers (name)' }) pcsc: DiscoverySectionDto;
}

/** The longest a test read waits for a card or a scan. */
export const MAX_TEST_READ_WAIT_SECONDS = 120;

export class TestReadDto {
  @ApiPropertyOptional({
    description: `How long to wait for a card or a scan, in seconds (default 20, at most ${MAX_TEST_READ_WAIT_SECONDS})`,
    minimum: 1,
    maximum: MAX_TEST_READ_WAIT_SECONDS,
    default: 20,
  })
  @IsOptional()
  @IsInt({ message: '必须是整数（秒）' })
  @Min(1, { message: '至少 1 秒' })
  @Max(MAX_TEST_READ_WAIT_SECONDS, { message: `至多 ${MAX_TEST_READ_WAIT_SECONDS} 秒` })
  waitSeconds?: number;
}

export class TestReadResultDto {
  @ApiProperty({ example: 'rx2-scanner' }) deviceId: string;
  @ApiProperty({
    enum: DEVICE_HOSTS,
    description: 'gateway: read on this machine; agent: read by the desk agent on the desk’s PC',
  })
  host: string;
  @ApiProperty({ type: String, nullable: true, description: 'The agent that made the read (host agent)' })
  agentId: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'The read as the desk’s WebSocket carries it (type scan, id-card or ssse-card); null when nothing was read within the wait',
  })
  read: object | null;
  @ApiProperty({ description: 'What happened and what to do (Chinese)' }) message: string;
}
