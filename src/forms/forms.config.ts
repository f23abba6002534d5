import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { CONFIG_TEXT } from '../platform';

/** `forms:` — form drawing, storage and retention. */
export class FormsRetentionConfig {
  /**
   * The day the hospital's agreement with the insurer ends (YYYY-MM-DD). A signed form is kept until
   * this day (or its signing day, whichever is later) plus keepYearsAfterAgreement. Empty = not
   * known: signed forms are then never pruned.
   */
  @IsString({ message: CONFIG_TEXT })
  @Matches(/^$|^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, {
    message: 'expected a date YYYY-MM-DD, or "" when not known',
  })
  agreementEndDate: string;

  /** 协议 23 (rehab agreement 13): medical papers are kept at least two years after the agreement ends. */
  @IsInt({ message: 'expected a whole number of years' })
  @Min(2, { message: 'expected at least 2 years (协议 23: kept at least two years after the agreement ends)' })
  @Max(100, { message: 'expected at most 100 years' })
  keepYearsAfterAgreement: number;

  /** Unsigned drafts untouched this many days are deleted. */
  @IsInt({ message: 'expected a whole number of days' })
  @Min(1, { message: 'expected at least 1 day' })
  draftDays: number;

  /** How often the pruning job runs (ms). */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(1000, { message: 'expected at least 1000 ms' })
  intervalMs: number;
}

export class FormsConfig {
  /** A system font file (TTF/OTF/TTC) to draw forms with; empty = the CJK font npm installs with the gateway. */
  @IsString({ message: CONFIG_TEXT })
  fontPath: string;

  /** Where signed form PDFs are kept; empty = <dataDir>/forms. */
  @IsString({ message: CONFIG_TEXT })
  storageDir: string;

  @ValidateNested()
  @Type(() => FormsRetentionConfig)
  retention: FormsRetentionConfig;
}

declare module '../platform/config/gateway-config' {
  interface GatewayConfig {
    forms: FormsConfig;
  }
}
