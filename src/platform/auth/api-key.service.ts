import { Injectable, Logger, Optional } from '@nestjs/common';
import { beijingMinute } from '../beijing-time';
import { Clock } from '../clock';
import { GatewayConfig } from '../config/gateway-config';
import { Transactions } from '../database/transactions';
import { AuditService } from '../audit/audit.service';
import { BadRequestError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors/domain-error';
import { ApiKeyCache } from './api-key-cache';
import { ApiKey } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { BadKeyThrottle } from './bad-key-throttle';
import { hashSecret, newToken, parseToken, secretMatches } from './api-key-token';
import { checkAllowEntry, ipAllowed } from './ip-allow-list';
import type { Principal } from './principal';
import { isScope, Scope, SCOPES } from './scopes';

export interface CreateApiKeyInput {
  name: string;
  scopes: string[];
  allowIps?: string[];
  /** From this instant on the key is refused; required with the admin scope. */
  expiresAt?: Date;
}

/** When the config does not say (CLI tools built without it): a year, as config/default.yaml. */
const DEFAULT_ADMIN_MAX_DAYS = 365;

export interface CreatedApiKey {
  key: ApiKey;
  /** The whole token. Shown once; only its hash is kept. */
  token: string;
}

/** Only refresh last_used_at this often, so a busy key does not write on every request. */
const LAST_USED_REFRESH_MS = 60_000;

@Injectable()
export class ApiKeyService {
  private readonly logger = new Logger(ApiKeyService.name);
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly transactions: Transactions,
    private readonly keys: ApiKeyRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly cache: ApiKeyCache,
    @Optional() private readonly config?: GatewayConfig,
    @Optional() private readonly badKeys?: BadKeyThrottle,
  ) {}

  async create(input: CreateApiKeyInput, by: Pick<Principal, 'type' | 'id'>): Promise<CreatedApiKey> {
    const problems: { field: string; message: string }[] = [];
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) {
      problems.push({ field: 'name', message: '名称必须为 1 到 100 个字符' });
    }
    if (input.scopes.length === 0) {
      problems.push({ field: 'scopes', message: `至少需要一个权限范围：${SCOPES.join(', ')}` });
    }
    for (const scope of input.scopes) {
      if (!isScope(scope)) {
        problems.push({ field: 'scopes', message: `未知的权限范围 ${scope}，可选：${SCOPES.join(', ')}` });
      }
    }
    for (const entry of input.allowIps ?? []) {
      const problem = checkAllowEntry(entry);
      if (problem) {
        problems.push({ field: 'allowIps', message: `IP 白名单项无效：${problem}` });
      }
    }
    problems.push(...this.expiryProblems(input));
    if (problems.length > 0) {
      throw new BadRequestError('APIKEY_INVALID', 'API 密钥参数有误', problems);
    }

    const { id, secret, token } = newToken();
    const key = this.keys.build({
      id,
      name,
      secretHash: hashSecret(secret),
      scopes: [...new Set(input.scopes)],
      allowIps: input.allowIps && input.allowIps.length > 0 ? input.allowIps : null,
      createdAt: this.clock.now(),
      createdBy: by.id,
      lastUsedAt: null,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      revokedReason: null,
    });
    await this.transactions.run(async (manager) => {
      await this.keys.insert(key, manager);
      await this.audit.record(
        {
          actor: by,
          action: 'apikey.create',
          outcome: 'success',
          details: {
            keyId: id,
            scopes: key.scopes,
            allowIps: key.allowIps,
            expiresAt: key.expiresAt ? key.expiresAt.toISOString() : null,
          },
        },
        manager,
      );
    });
    return { key, token };
  }

  /** Admin keys must expire, within `apiKeys.adminMaxDays`; any expiry must lie ahead. */
  private expiryProblems(input: CreateApiKeyInput): { field: string; message: string }[] {
    const now = this.clock.now();
    const maxDays = this.config?.apiKeys.adminMaxDays ?? DEFAULT_ADMIN_MAX_DAYS;
    const expiresAt = input.expiresAt;
    if (expiresAt !== undefined && Number.isNaN(expiresAt.getTime())) {
      return [{ field: 'expiresAt', message: '到期时间无效：请使用日期或 ISO 8601 时间，如 2027-03-01' }];
    }
    if (expiresAt !== undefined && expiresAt.getTime() <= now.getTime()) {
      return [
        { field: 'expiresAt', message: `到期时间 ${beijingMinute(expiresAt)}（北京时间）已过，请选择将来的时间` },
      ];
    }
    if (input.scopes.includes('admin')) {
      if (expiresAt === undefined) {
        return [
          {
            field: 'expiresAt',
            message: `含 admin 权限的密钥必须设置到期时间（最长 ${maxDays} 天），如 CLI 的 --expires-in 90d`,
          },
        ];
      }
      if (expiresAt.getTime() - now.getTime() > maxDays * 86_400_000) {
        return [{ field: 'expiresAt', message: `含 admin 权限的密钥有效期最长 ${maxDays} 天，请缩短到期时间` }];
      }
    }
    return [];
  }

  async list(includeRevoked = false): Promise<ApiKey[]> {
    return this.keys.list(includeRevoked);
  }

  async revoke(id: string, reason: string, by: Pick<Principal, 'type' | 'id'>): Promise<ApiKey> {
    const revoked = await this.transactions.run(async (manager) => {
      const key = await this.keys.findById(id, manager);
      if (!key) {
        throw new NotFoundError('APIKEY_NOT_FOUND', `API 密钥 ${id} 不存在`);
      }
      if (!key.revokedAt) {
        key.revokedAt = this.clock.now();
        key.revokedReason = reason.slice(0, 200) || null;
        await this.keys.markRevoked(id, key.revokedAt, key.revokedReason, manager);
        await this.audit.record(
          { actor: by, action: 'apikey.revoke', outcome: 'success', details: { keyId: id, reason } },
          manager,
        );
      }
      return key;
    });
    // This process refuses the key from now on; other processes within a second (ApiKeyCache).
    this.cache.forget(id);
    return revoked;
  }

  /**
   * Checks a bearer token for a request from `ip`. Throws the error the client should see:
   * 401 for missing/unknown/revoked/expired keys, 429 while `ip` is slowed down for bad keys, 403 for a disallowed IP or a missing scope.
   * The key's row comes from ApiKeyCache (no database round trip while it is fresh); the
   * secret is checked against it on every request.
   */
  async authenticate(authorization: string | undefined, ip: string, anyOf: readonly Scope[]): Promise<Principal> {
    if (!authorization) {
      throw new UnauthenticatedError('AUTH_MISSING', '缺少 API 密钥：请在请求头中加入 Authorization: Bearer <密钥>');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const parsed = match ? parseToken(match[1]) : undefined;
    if (!parsed) {
      const refusal = this.badKeys?.refusal(ip);
      if (refusal) {
        throw refusal;
      }
      this.badKeys?.failed(ip, undefined);
      throw new UnauthenticatedError('AUTH_INVALID', 'API 密钥格式不正确：应为 Authorization: Bearer gwk_…');
    }
    const proves = (row: ApiKey): boolean => secretMatches(parsed.secret, row.secretHash);
    const cached = this.cache.peek(parsed.id);
    if (!cached || !proves(cached)) {
      // An address slowed down for bad keys: only keys proven from the cache go on (no database read).
      const refusal = this.badKeys?.refusal(ip);
      if (refusal) {
        throw refusal;
      }
    }
    const key = cached && proves(cached) ? cached : await this.cache.find(parsed.id, proves);
    if (!key || !proves(key)) {
      this.badKeys?.failed(ip, parsed.id);
      throw new UnauthenticatedError('AUTH_INVALID', 'API 密钥无效，请向信息科核对');
    }
    if (key.revokedAt) {
      throw new UnauthenticatedError('AUTH_REVOKED', 'API 密钥已被吊销，请向信息科申请新的密钥');
    }
    // Checked against the clock on every request: a cached key is refused the moment it expires.
    if (key.expiresAt && key.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw new UnauthenticatedError(
        'AUTH_KEY_EXPIRED',
        `API 密钥已于 ${beijingMinute(key.expiresAt)}（北京时间）过期，请向信息科申请新的密钥`,
      );
    }
    if (!ipAllowed(ip, key.allowIps)) {
      throw new ForbiddenError('AUTH_IP_NOT_ALLOWED', `该 API 密钥不允许从此地址（${ip}）访问`);
    }
    const scopes = key.scopes.filter(isScope);
    if (anyOf.length > 0 && !anyOf.some((s) => scopes.includes(s))) {
      throw new ForbiddenError('AUTH_SCOPE_MISSING', `该 API 密钥没有访问此接口的权限（需要 ${anyOf.join(' 或 ')}）`);
    }
    this.touch(key.id);
    return { type: 'api-key', id: key.id, name: key.name, scopes };
  }

  private touch(id: string): void {
    const now = this.clock.now();
    const last = this.lastUsedWritten.get(id) ?? 0;
    if (now.getTime() - last < LAST_USED_REFRESH_MS) {
      return;
    }
    this.lastUsedWritten.set(id, now.getTime());
    this.keys
      .touch(id, now)
      .catch((err: unknown) => this.logger.warn({ err, keyId: id }, 'could not record API key use'));
  }
}
