import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import type { StaffContext } from './staff-session.service';
import { STAFF_ROLES } from './staff-roles';
import { STAFF_STATES, type StaffUser } from './staff.entity';

export class StaffLoginDto {
  @ApiProperty({ example: 'zhangsan', minLength: 1, maxLength: 64 })
  @IsString()
  @Length(1, 64)
  login: string;

  @ApiProperty({ example: '••••••••••', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  password: string;
}

/** The signed-in staff member, as the console shows them. */
export class StaffMeDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'zhangsan' }) login: string;
  @ApiProperty({ example: '张三' }) displayName: string;
  @ApiProperty({ enum: STAFF_ROLES, isArray: true }) roles: string[];
  @ApiProperty({ type: [String], example: ['门诊挂号1'] }) desks: string[];
}

export class StaffSessionDto {
  @ApiProperty({ type: StaffMeDto }) staff: StaffMeDto;

  @ApiProperty({ description: 'Send back in x-csrf-token with every POST, PUT, PATCH and DELETE' })
  csrfToken: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When the session ends if unused from now (staff.sessionIdleMinutes), never after its absolute end',
  })
  expiresAt: string;

  @ApiProperty({
    description:
      'The password expired at the login, or IT set it: only this session’s own endpoints answer (others: 403 STAFF_PASSWORD_EXPIRED) until POST /api/v1/staff/session/password',
  })
  passwordChangeRequired: boolean;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the password expires (staff.passwordMaxAgeDays after it was set); null: never',
  })
  passwordExpiresAt: string | null;

  @ApiProperty({ description: 'The password expires within 14 days (or has): the console says so' })
  passwordExpiresSoon: boolean;

  static from(staff: StaffContext): StaffSessionDto {
    return {
      staff: {
        id: staff.id,
        login: staff.login,
        displayName: staff.displayName,
        roles: staff.roles,
        desks: staff.desks,
      },
      csrfToken: staff.csrfToken,
      expiresAt: staff.expiresAt.toISOString(),
      passwordChangeRequired: staff.passwordChangeRequired,
      passwordExpiresAt: staff.passwordExpiresAt ? staff.passwordExpiresAt.toISOString() : null,
      passwordExpiresSoon: staff.passwordExpiresSoon,
    };
  }
}

/** Changing your own password. */
export class ChangeStaffPasswordDto {
  @ApiProperty({ example: '••••••••••', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  currentPassword: string;

  @ApiProperty({
    example: '••••••••••',
    minLength: 1,
    maxLength: 200,
    description: 'At least 10 characters, not too simple',
  })
  @IsString()
  @Length(1, 200)
  newPassword: string;
}

export class CreateStaffDto {
  @ApiProperty({ description: 'Lower-case, 2 to 32 of a-z 0-9 . _ -', example: 'zhangsan' })
  @IsString()
  @Length(2, 32)
  login: string;

  @ApiProperty({ example: '张三' })
  @IsString()
  @Length(1, 50)
  displayName: string;

  @ApiProperty({ enum: STAFF_ROLES, isArray: true, example: ['desk'] })
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(STAFF_ROLES, { each: true })
  roles: string[];

  @ApiPropertyOptional({ type: [String], example: ['门诊挂号1'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  desks?: string[];
}

export class DisableStaffDto {
  @ApiProperty({ description: 'Why (kept in the audit log)', example: '离职' })
  @IsString()
  @Length(1, 200)
  reason: string;
}

export class StaffViewDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'zhangsan' }) login: string;
  @ApiProperty({ example: '张三' }) displayName: string;
  @ApiProperty({ enum: STAFF_ROLES, isArray: true }) roles: string[];
  @ApiProperty({ type: [String] }) desks: string[];
  @ApiProperty({ enum: STAFF_STATES }) state: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Locked by wrong passwords until then',
  })
  lockedUntil: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastLoginAt: string | null;
  @ApiProperty({ type: String, nullable: true }) disabledReason: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ example: 'cli:root' }) createdBy: string;

  static from(u: StaffUser): StaffViewDto {
    return {
      id: u.id,
      login: u.login,
      displayName: u.displayName,
      roles: u.roles,
      desks: u.desks,
      state: u.state,
      lockedUntil: u.lockedUntil ? u.lockedUntil.toISOString() : null,
      lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
      disabledReason: u.disabledReason,
      createdAt: u.createdAt.toISOString(),
      createdBy: u.createdBy,
    };
  }
}

export class StaffWithPasswordDto {
  @ApiProperty({ type: StaffViewDto }) staff: StaffViewDto;

  @ApiProperty({ description: 'The generated password: shown only in this response; hand it over now' })
  password: string;
}
