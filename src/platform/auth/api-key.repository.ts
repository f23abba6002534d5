import { Injectable } from '@nestjs/common';
import { Between, DataSource, EntityManager, In, IsNull } from 'typeorm';
import { ApiKey } from './api-key.entity';

/** The `api_key` table: every read and write of API keys. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A new key row, not yet saved. */
  build(fields: ApiKey): ApiKey {
    return this.dataSource.manager.create(ApiKey, fields);
  }

  async insert(key: ApiKey, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(ApiKey, key);
  }

  /** Oldest first; revoked keys only when asked. */
  async list(includeRevoked: boolean): Promise<ApiKey[]> {
    return this.dataSource.getRepository(ApiKey).find({
      where: includeRevoked ? {} : { revokedAt: IsNull() },
      order: { createdAt: 'ASC' },
    });
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<ApiKey | null> {
    return manager.findOne(ApiKey, { where: { id } });
  }

  /** The rows of these keys that still exist (one query, for the API-key cache's refresher). */
  async findByIds(ids: readonly string[]): Promise<ApiKey[]> {
    return ids.length === 0 ? [] : this.dataSource.getRepository(ApiKey).find({ where: { id: In([...ids]) } });
  }

  /** Keys not revoked whose expiry falls between `from` and `to`, soonest first. */
  async expiringBetween(from: Date, to: Date): Promise<ApiKey[]> {
    return this.dataSource.getRepository(ApiKey).find({
      where: { revokedAt: IsNull(), expiresAt: Between(from, to) },
      order: { expiresAt: 'ASC' },
    });
  }

  async markRevoked(
    id: string,
    revokedAt: Date,
    reason: string | null,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.update(ApiKey, { id }, { revokedAt, revokedReason: reason });
  }

  async touch(id: string, lastUsedAt: Date): Promise<void> {
    await this.dataSource.getRepository(ApiKey).update({ id }, { lastUsedAt });
  }
}
