import { ApiProperty } from '@nestjs/swagger';
import { CONFIG_ORIGINS, MASKED } from './config-secrets';

/** One value of the effective configuration. */
export class ConfigEntryDto {
  @ApiProperty({ description: 'Dotted path; list items as [i]', example: 'database.url' })
  path: string;

  @ApiProperty({
    description: `The value (text, number, true/false, or an empty list/section); secrets are ${MASKED} when set`,
    oneOf: [
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'array', items: {} },
      { type: 'object' },
    ],
    nullable: true,
    example: `postgres://gateway:${MASKED}@10.20.0.5:5432/gateway`,
  })
  value: unknown;

  @ApiProperty({ description: 'All or part of the value is masked (a secret)' })
  masked: boolean;

  @ApiProperty({
    enum: CONFIG_ORIGINS,
    nullable: true,
    description: 'default = config/default.yaml, file = the overlay file, env = a GW_ variable; null = not known',
  })
  origin: string | null;
}

/** GET /api/v1/admin/config: the configuration in effect, every secret masked. */
export class ConfigViewDto {
  @ApiProperty({ enum: ['production', 'sandbox'] })
  mode: string;

  @ApiProperty({
    type: [String],
    description: 'Files and GW_ variables (names only) the configuration was built from, in order',
    example: ['/opt/gateway/config/default.yaml', '/etc/gateway/hospital.yaml', 'env GW_SERVER__PORT'],
  })
  sources: string[];

  @ApiProperty({ type: Object, description: 'The configuration as a tree, secrets masked' })
  config: Record<string, unknown>;

  @ApiProperty({ type: [ConfigEntryDto], description: 'Every value by path, with where it came from' })
  entries: ConfigEntryDto[];
}
