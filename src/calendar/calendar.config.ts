import { IsNotEmpty, IsString } from 'class-validator';
import { CONFIG_TEXT } from '../platform';

/** `calendar:` — the working-day calendar's own year files (docs/calendar.md). */
export class CalendarConfig {
  /** Folder of <year>.yaml files (the State Council's holiday arrangement of each year the package lacks). */
  @IsString({ message: CONFIG_TEXT })
  @IsNotEmpty({ message: 'expected a folder path' })
  dir: string;
}

declare module '../platform/config/gateway-config' {
  interface GatewayConfig {
    calendar: CalendarConfig;
  }
}
