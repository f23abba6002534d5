import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { MAX_ENROLMENT_TTL_MINUTES } from './agents.config';
import { AGENT_STATES, type AgentState } from './agents.entity';

/** Request and response DTOs of the desk-agent registry. */

const trimmed = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class CreateEnrolmentDto {
  @ApiProperty({
    description: 'The desk the agent will serve (as devices[].desk), e.g. 门诊挂号3',
    example: '门诊挂号3',
  })
  @Transform(trimmed)
  @IsString({ message: '必须是文字' })
  @Length(1, 40, { message: '工位名称应为 1 到 40 个字符' })
  desk: string;

  @ApiPropertyOptional({ description: 'The agent’s name (default: the desk PC’s host name, else the desk)' })
  @IsOptional()
  @Transform(trimmed)
  @IsString({ message: '必须是文字' })
  @Length(1, 100, { message: '代理名称应为 1 到 100 个字符' })
  name?: string;

  @ApiPropertyOptional({
    description: `How long the code stays usable, in minutes (default agents.enrolmentTtlMinutes; at most ${MAX_ENROLMENT_TTL_MINUTES})`,
  })
  @IsOptional()
  @IsInt({ message: '必须是整数（分钟）' })
  @Min(1, { message: '至少 1 分钟' })
  @Max(MAX_ENROLMENT_TTL_MINUTES, { message: `至多 ${MAX_ENROLMENT_TTL_MINUTES} 分钟（24 小时）` })
  ttlMinutes?: number;
}

export class EnrolmentCodeDto {
  @ApiProperty({
    description: 'The one-time enrolment code. Shown once: only its keyed hash is kept.',
    example: 'K7MQ2-XW9RB',
  })
  code: string;

  @ApiProperty()
  desk: string;

  @ApiProperty({ type: String, nullable: true, description: 'The agent name IT chose, if any' })
  name: string | null;

  @ApiProperty({ description: 'When the code stops working (ISO 8601)' })
  expiresAt: string;
}

export class EnrolDto {
  @ApiProperty({
    description: 'The enrolment code IT gave (case, spaces and the dash do not matter)',
    example: 'K7MQ2-XW9RB',
  })
  @IsString({ message: '必须是文字' })
  @Length(1, 40, { message: '登记码应为 10 个字符（如 K7MQ2-XW9RB）' })
  code: string;

  @ApiPropertyOptional({ description: 'The desk PC’s host name' })
  @IsOptional()
  @Transform(trimmed)
  @IsString({ message: '必须是文字' })
  @Length(1, 100, { message: '主机名应为 1 到 100 个字符' })
  hostname?: string;

  @ApiPropertyOptional({ description: 'The agent’s version (package.json version)' })
  @IsOptional()
  @Transform(trimmed)
  @IsString({ message: '必须是文字' })
  @Length(1, 40, { message: '版本号应为 1 到 40 个字符' })
  agentVersion?: string;
}

export class EnrolledAgentDto {
  @ApiProperty()
  agentId: string;

  @ApiProperty({
    description:
      'The agent’s own credential (gwa_…). Shown once: store it with mode 0600; the gateway keeps only its hash.',
  })
  credential: string;

  @ApiProperty()
  desk: string;

  @ApiProperty()
  name: string;
}

export class AgentOutageDto {
  @ApiProperty({ description: 'When the link went down, as the agent saw it (ISO 8601)' })
  from: string;

  @ApiProperty({ description: 'When it came back (ISO 8601)' })
  to: string;

  @ApiProperty({ description: 'Card and ID reads made during the outage and delivered late, marked replayed' })
  replayedReads: number;

  @ApiProperty({ description: 'Card and ID reads made during the outage and never delivered (too old)' })
  droppedReads: number;
}

/** What the agent last reported about itself (`agent-status` on the link). */
export class AgentStatusDto {
  @ApiProperty({ description: 'Trace-code scans buffered on the desk PC, not yet acknowledged by the centre' })
  bufferedScans: number;

  @ApiProperty({ description: 'How full the agent’s scan journal is, 0 to 100 (100: it refuses new scans)' })
  journalFillPercent: number;

  @ApiProperty({ description: 'Reads never delivered since the agent started' })
  droppedReads: number;

  @ApiProperty({ type: AgentOutageDto, nullable: true, description: 'The last time its link was down; null: none' })
  lastOutage: AgentOutageDto | null;

  @ApiProperty({ description: 'When the agent process started (ISO 8601)' })
  startedAt: string;

  @ApiProperty({
    description:
      'When this gateway instance received the report (ISO 8601); kept after the link closes, so it may be old',
  })
  reportedAt: string;
}

export class AgentDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  desk: string;

  @ApiProperty({ enum: AGENT_STATES })
  state: AgentState;

  @ApiProperty({
    description:
      'Whether the agent has a link to this gateway instance now (another instance answers for its own links)',
  })
  connected: boolean;

  @ApiProperty({
    type: AgentStatusDto,
    nullable: true,
    description:
      'What the agent last reported to this instance (agent-status on the link); null when it has not reported since this instance started',
  })
  status: AgentStatusDto | null;

  @ApiProperty({ type: String, nullable: true, description: 'Last successful authentication (ISO 8601)' })
  lastSeenAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The address it last authenticated from' })
  lastAddress: string | null;

  @ApiProperty({ type: String, nullable: true })
  hostname: string | null;

  @ApiProperty({ type: String, nullable: true })
  agentVersion: string | null;

  @ApiProperty()
  createdAt: string;

  @ApiProperty()
  updatedAt: string;

  @ApiProperty({ type: String, nullable: true })
  revokedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  revokedReason: string | null;
}

export class AgentListQueryDto {
  @ApiPropertyOptional({ description: 'Include revoked agents (default: active only)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: '必须是 true 或 false' })
  all?: boolean;
}

export class UpdateAgentDto {
  @ApiPropertyOptional({ description: 'A new name (rename)' })
  @IsOptional()
  @Transform(trimmed)
  @IsString({ message: '必须是文字' })
  @Length(1, 100, { message: '代理名称应为 1 到 100 个字符' })
  name?: string;

  @ApiPropertyOptional({ description: 'Another desk (move): its devices are then that desk’s' })
  @IsOptional()
  @Transform(trimmed)
  @IsString({ message: '必须是文字' })
  @Length(1, 40, { message: '工位名称应为 1 到 40 个字符' })
  desk?: string;
}

export class RevokeAgentDto {
  @ApiProperty({ description: 'Why (kept in the registry and the audit log)', example: '工位电脑报废' })
  @Transform(trimmed)
  @IsString({ message: '必须是文字' })
  @Length(1, 200, { message: '原因应为 1 到 200 个字符' })
  reason: string;
}

export class AgentEventsQueryDto {
  @ApiPropertyOptional({ description: 'Events after this journal seq (default 0: from the first)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: '必须是整数' })
  @Min(0, { message: '不能小于 0' })
  afterSeq?: number;

  @ApiPropertyOptional({ description: 'At most this many (1–1000, default 100)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: '必须是整数' })
  @Min(1, { message: '至少 1 条' })
  @Max(1000, { message: '最多 1000 条' })
  limit?: number;
}

/** A durable event (a trace-code scan) the centre received from an agent's journal. */
export class AgentEventDto {
  @ApiProperty({ description: 'The agent journal’s seq (1, 2, 3 … per agent)' })
  seq: number;

  @ApiProperty()
  desk: string;

  @ApiProperty()
  deviceId: string;

  @ApiProperty({ description: 'trace-code, gs1, commodity-barcode or refused' })
  kind: string;

  @ApiProperty({ description: 'The scanned text' })
  text: string;

  @ApiProperty({ description: 'When the desk scanned it (the agent’s clock)' })
  scannedAt: string;

  @ApiProperty({ description: 'When it reached the centre' })
  receivedAt: string;

  @ApiProperty({ description: 'Scanned while the link was down, delivered after it came back' })
  replayed: boolean;
}
