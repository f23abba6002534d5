import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, Max, Min, ValidateNested } from 'class-validator';

/** `settlement.declaration:` — the monthly declaration (R13, 协议 29; docs/obligations-declaration.md). */
export class DeclarationConfig {
  /**
   * Submit the draft 3401 the gateway makes on the first working day of a month without waiting for
   * staff (false: staff review the draft and submit it).
   */
  @IsBoolean({ message: 'expected true or false' })
  autoSubmit: boolean;
}

/** `settlement:` — the local pre-audit's policy (docs/settlement-rules.md). */
export class SettlementConfig {
  /**
   * Drug lines without every box's trace code (办法 9): `refuse` the settlement until the pharmacy
   * scans them, or only `warn`.
   */
  @IsIn(['refuse', 'warn'], { message: 'expected refuse or warn' })
  missingTraceCodes: 'refuse' | 'warn';

  /** The longest supply a prescription may give, even with the worker's statement (协议 15: 3 months). */
  @IsInt({ message: 'expected a whole number of days' })
  @Min(1, { message: 'expected at least 1 day' })
  @Max(90, { message: 'expected at most 90 days (协议 15: at most 3 months)' })
  maxDaysOfSupply: number;

  /** A longer supply needs the worker's statement and proof (协议 15; 处方管理办法 19: generally 7 days). */
  @IsInt({ message: 'expected a whole number of days' })
  @Min(1, { message: 'expected at least 1 day' })
  @Max(90, { message: 'expected at most 90 days' })
  statementRequiredOverDays: number;

  /**
   * How long POST …/settlement waits for the insurer's outcome before answering 202 with the
   * settlement's address to poll (milliseconds).
   */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(0, { message: 'expected at least 0 ms' })
  @Max(120000, { message: 'expected at most 120000 ms (2 minutes)' })
  waitForOutcomeMs: number;

  /**
   * A settlement requested while the insurer link is in emergency mode (协议 25, R14): `queue` it
   * with the local pre-audit's split marked provisional (sent when the link is back, differences
   * listed), or `refuse` it (503 SETTLEMENT_INSURER_DOWN).
   */
  @IsIn(['queue', 'refuse'], { message: 'expected queue or refuse' })
  whenInsurerDown: 'queue' | 'refuse';

  /**
   * 协议 33 (R11): at an inpatient admission and at discharge the hospital checks the worker's
   * identity and filing. `required`: HIS must send the visit's MATCH token (x-verification-token)
   * with the admission and with the discharge (or discharge-notice) date, else 403 TOKEN_MISSING and
   * nothing is stored; `when-given`: checked only when a token is sent (HIS that registers admissions
   * before the card is read; the filing is then checked at settlement only).
   */
  @IsIn(['required', 'when-given'], { message: 'expected required or when-given' })
  admissionIdentity: 'required' | 'when-given';

  @ValidateNested()
  @Type(() => DeclarationConfig)
  declaration: DeclarationConfig;
}

declare module '../platform/config/gateway-config' {
  interface GatewayConfig {
    settlement: SettlementConfig;
  }
}
