import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock';
import { Transactions } from '../database/transactions';
import { AuditService } from '../audit/audit.service';
import { BadRequestError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors/domain-error';
import { ApiKeyCache } from './api-key-cache';
import { ApiKey } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { hashSecret, newToken, parseToken, secretMatches } from './api-key-token';
import { checkAllowEntry, ipAllowed } from './ip-allow-list';
import type { Principal } from './principal';
import { isScope, Scope, SCOPES } from './scopes';

export interface CreateApiKeyInput {
  name: string;
  scopes: string[];
  allowIps?: string[];
}

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
          details: { keyId: id, scopes: key.scopes, allowIps: key.allowIps },
        },
        manager,
      );
    });
    return { key, token };
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
   * 401 for missing/unknown/revoked keys, 403 for a disallowed IP or a missing scope.
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
      throw new UnauthenticatedError('AUTH_INVALID', 'API 密钥格式不正确：应为 Authorization: Bearer gwk_…');
    }
    const proves = (row: ApiKey): boolean => secretMatches(parsed.secret, row.secretHash);
    const key = await this.cache.find(parsed.id, proves);
    if (!key || !proves(key)) {
      throw new UnauthenticatedError('AUTH_INVALID', 'API 密钥无效，请向信息科核对');
    }
    if (key.revokedAt) {
      throw new UnauthenticatedError('AUTH_REVOKED', 'API 密钥已被吊销，请向信息科申请新的密钥');
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
