import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A HIS client's API key. The secret itself is never stored: only its SHA-256. */
@Entity({ name: 'api_key' })
export class ApiKey {
  /** Public part of the token (gwk_<id>_<secret>), shown in lists and logs. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  /** What the key is for, e.g. "HIS 门诊收费". */
  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** Hex SHA-256 of the secret part. Secrets are 256-bit random, so a fast hash is enough. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash: string;

  @Column({ type: 'simple-json' })
  scopes: string[];

  /** IPs or CIDR ranges the key may be used from; null = any. */
  @Column({ name: 'allow_ips', type: 'simple-json', nullable: true })
  allowIps: string[] | null;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy: string;

  @Column({ name: 'last_used_at', nullable: true, type: Date })
  lastUsedAt: Date | null;

  /** From this instant on the key is refused (AUTH_KEY_EXPIRED); null = no expiry (never for admin keys). */
  @Column({ name: 'expires_at', nullable: true, type: Date })
  expiresAt: Date | null;

  @Column({ name: 'revoked_at', nullable: true, type: Date })
  revokedAt: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 200, nullable: true })
  revokedReason: string | null;
}
