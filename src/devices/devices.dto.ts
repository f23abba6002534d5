import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { DEVICE_KINDS } from '../platform/config/gateway-config';
import type { DeviceView } from './device-registry';

export class DeviceViewDto {
  @ApiProperty({ example: 'desk1-idcard' }) id: string;
  @ApiProperty({ enum: DEVICE_KINDS }) kind: string;
  @ApiProperty({ example: '门诊挂号1' }) desk: string;
  @ApiProperty({ example: '/dev/ttyUSB0' }) path: string;
  @ApiProperty({ enum: ['connecting', 'connected', 'waiting', 'reading', 'disconnected', 'error'] }) state: string;
  @ApiProperty({ description: 'What is happening or what to check (Chinese)' }) message: string;
  @ApiProperty({ type: String, format: 'date-time' }) since: string;

  static from(d: DeviceView): DeviceViewDto {
    return { id: d.id, kind: d.kind, desk: d.desk, path: d.path, state: d.status.state, message: d.status.message, since: d.status.at.toISOString() };
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
}
