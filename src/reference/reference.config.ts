import { IsNotEmpty, IsString } from 'class-validator';
import { CONFIG_TEXT } from '../platform';

/** `reference:` — where the agreement reference data lives. */
export class ReferenceConfig {
  /** Folder holding institutions.json (written by `gateway reference import`). */
  @IsString({ message: CONFIG_TEXT })
  @IsNotEmpty({ message: 'expected a folder path' })
  dir: string;
}

declare module '../platform/config/gateway-config' {
  interface GatewayConfig {
    reference: ReferenceConfig;
  }
}
