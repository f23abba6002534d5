import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

export class PresentDto {
  @ApiProperty({
    required: false,
    description: 'Card readers: a sandbox seed role, ID number or 个人编号 (default activeFingers)',
    example: 'dotName',
  })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  person?: string;

  @ApiProperty({ required: false, description: 'Scanners: what to scan', example: '81234567890123456789' })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  text?: string;

  @ApiProperty({ required: false, description: 'Scanners: AIM symbology identifier to send first', example: ']d2' })
  @IsOptional()
  @Matches(/^\][A-Za-z][0-9]$/)
  aim?: string;
}

export class PresentedDto {
  @ApiProperty() deviceId: string;
  @ApiProperty({ enum: ['id-card', 'scanner', 'ssse-card'] }) kind: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The person’s name or the scanned text; null after remove',
  })
  presented: string | null;
}

export class PluggedDto {
  @ApiProperty() deviceId: string;
  @ApiProperty({ enum: ['id-card', 'scanner', 'ssse-card'] }) kind: string;
  @ApiProperty({ description: 'Whether the simulated device is plugged in now' }) plugged: boolean;
}
